// Chats' own NemoVideo tokens ("bring your own account"), at rest encrypted with AES-256-GCM under
// BOT_SECRET_KEY (node:crypto; the chat's key in the store is the additional authenticated data, so a stored
// token cannot be moved to another chat). One token per chat: a group's (linked by its admins) or a private
// chat's (its user's own). Tokens are registered with the secrets registry the moment they are read, so no
// log line or error shows them; reads are cached for a few seconds (another instance's change shows within
// that time, this instance's at once).

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SecretSink } from '../../secrets.ts';
import type { StatePort } from '../../store/state.ts';
import type { ChatAddress } from '../ports.ts';
import { chatOf } from './who.ts';

interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
  /** Who linked it (a user id) and when. */
  by: string;
  at: number;
}

export interface Linked {
  by: string;
  at: number;
}

/** A stored token that does not decrypt (BOT_SECRET_KEY changed): the chat must link it again. */
export class TokenUnreadable extends Error {
  override name = 'TokenUnreadable';
}

const CACHE_MS = 5_000;
const keyOf = (chat: string) => `team:token:${chat}`;

/** A short, stable name for an account's token (ledgers, logs): never the token. */
export const tokenTag = (token: string): string =>
  createHash('sha256').update(token).digest('hex').slice(0, 12);

export class TokenVault {
  readonly #cache = new LRUCache<string, { token: string | null }>({ max: 10_000, ttl: CACHE_MS });

  constructor(
    private readonly state: StatePort,
    private readonly key: Buffer,
    private readonly secrets: SecretSink,
  ) {}

  /** The token the chat of `address` brought, or undefined. Rejects when the store fails or it is unreadable. */
  async tokenFor(address: ChatAddress): Promise<string | undefined> {
    const chat = chatOf(address);
    const hit = this.#cache.get(chat);
    if (hit) return hit.token ?? undefined;
    const sealed = (await this.state.get(keyOf(chat))) as Sealed | undefined;
    const token = sealed ? this.#open(chat, sealed) : undefined;
    if (token) this.secrets.add(token);
    this.#cache.set(chat, { token: token ?? null });
    return token;
  }

  async info(chat: string): Promise<Linked | undefined> {
    const sealed = (await this.state.get(keyOf(chat))) as Sealed | undefined;
    return sealed && { by: sealed.by, at: sealed.at };
  }

  async link(chat: string, token: string, by: string, at: number): Promise<void> {
    this.secrets.add(token);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(keyOf(chat)));
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const sealed: Sealed = {
      v: 1,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
      by,
      at,
    };
    await this.state.set(keyOf(chat), sealed);
    this.#cache.delete(chat);
  }

  /** True when the chat had a token. */
  async clear(chat: string): Promise<boolean> {
    const had = await this.state.delete(keyOf(chat));
    this.#cache.delete(chat);
    return had;
  }

  #open(chat: string, s: Sealed): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64'));
      decipher.setAAD(Buffer.from(keyOf(chat)));
      decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch (e) {
      throw new TokenUnreadable(`the stored token of ${chat} does not decrypt with BOT_SECRET_KEY`, {
        cause: e,
      });
    }
  }
}
