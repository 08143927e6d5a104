// A chat's NemoAccount when chats may bring their own token: every call first looks up the chat's token
// (cached by the vault), then goes to that token's account or to the account the chat would otherwise use
// (NEMO_TOKEN, else its anonymous trial). Looked up per call, not per chat, so /token and /token clear take
// effect at the next call, and a render resumed after a restart polls with the account that created it.

import { LRUCache } from 'lru-cache';
import type { NemoAccount, NemoClient, NemoPlatform } from '../../nemo/types.ts';
import type { ChatAddress } from '../ports.ts';
import { tokenTag } from './tokens.ts';

export interface OwnAccounts {
  /** The account of `chat`: its own token's when it has one, else `fallback()`. */
  account(chat: { address: ChatAddress; platform: NemoPlatform }, fallback: () => NemoAccount): NemoAccount;
}

export function ownAccounts(
  nemo: NemoClient,
  tokenFor: (address: ChatAddress) => Promise<string | undefined>,
): OwnAccounts {
  // The token is registered for redaction by the vault when read; accounts are rebuilt cheaply when evicted.
  const byToken = new LRUCache<string, NemoAccount>({ max: 1_000 });
  const forToken = (token: string, platform: NemoPlatform): NemoAccount => {
    const k = `${platform}:${tokenTag(token)}`;
    let a = byToken.get(k);
    if (!a) {
      a = nemo.account({ kind: 'operator', token }, { platform });
      byToken.set(k, a);
    }
    return a;
  };
  return {
    account(chat, fallback) {
      const pick = async (): Promise<NemoAccount> => {
        const token = await tokenFor(chat.address);
        return token ? forToken(token, chat.platform) : fallback();
      };
      const via =
        <K extends keyof NemoAccount>(name: K) =>
        async (...args: unknown[]): Promise<unknown> => {
          const a = await pick();
          return (a[name] as (...x: unknown[]) => Promise<unknown>).apply(a, args);
        };
      return {
        get credentials() {
          return fallback().credentials;
        },
        createSession: via('createSession'),
        async *chat(sessionId, text, signal) {
          yield* (await pick()).chat(sessionId, text, signal);
        },
        upload: via('upload'),
        uploadUrls: via('uploadUrls'),
        credits: via('credits'),
        state: via('state'),
        startRender: via('startRender'),
        renderStatus: via('renderStatus'),
        waitForRender: via('waitForRender'),
        cancelRender: via('cancelRender'),
        downloadRender: via('downloadRender'),
        claimLink: via('claimLink'),
      } as NemoAccount;
    },
  };
}
