// What every part of the engine shares (Core) and what one chat's work carries (ChatCtx).

import type Keyv from 'keyv';
import type { Config } from '../config.ts';
import { type Messages, messages } from '../i18n/index.ts';
import type { NemoClient, NemoPlatform } from '../nemo/types.ts';
import type { Logger, Secrets } from '../secrets.ts';
import type { StatePort } from '../store/state.ts';
import type { Accounts } from './account.ts';
import type { Instance } from './instance.ts';
import type { Jobs } from './jobs.ts';
import type { Lanes } from './lanes.ts';
import type { MetricsPort } from './metrics-port.ts';
import type { ChatAddress, ChatPort, ChatResolver, Lang, OutMessage, Requester, SentRef } from './ports.ts';
import type { SessionRecord, Sessions } from './sessions.ts';
import type { Team } from './team/index.ts';

export interface Core {
  config: Config;
  nemo: NemoClient;
  /** The Keyv the sessions live in; everything that must be atomic goes through `state`. */
  store: Keyv;
  state: StatePort;
  logger: Logger;
  secrets: Secrets;
  sessions: Sessions;
  /** This process among the instances sharing the store, and the leases it holds. */
  instance: Instance;
  lanes: Lanes;
  resolvers: Map<string, ChatResolver>;
  /** Every chat's NemoAccount (its owner: bounded cache, credentials persisted in one place). */
  accounts: Accounts;
  /** The one owner of job state: render jobs and agent turns in flight. */
  jobs: Jobs;
  /** Team controls: who may use the bot, quotas, costs, usage, own tokens (src/core/team). */
  team: Team;
  /** /metrics hook points (noopMetrics when none is wired). */
  metrics: MetricsPort;
  /** Fires on close(): waits that are not a lane task (credits, status) stop too. */
  shutdown: AbortSignal;
}

export interface ChatCtx {
  core: Core;
  chat: ChatPort;
  address: ChatAddress;
  lang: Lang;
  m: Messages;
  platform: NemoPlatform;
  log: Logger;
  /** The chat's record (the cached object: changes go through `core.sessions.update`). */
  record: SessionRecord;
  /** Sends; never throws (a platform failure is logged and `undefined` returned). */
  say(message: string | OutMessage): Promise<SentRef | undefined>;
  /** Edits a message sent by `say`, or sends a new one when there is no ref or the edit fails. */
  update(ref: SentRef | undefined, message: string | OutMessage): Promise<SentRef | undefined>;
  /** The message being handled is durably recorded (see InboundMessage.accepted); set by the engine. */
  accepted?: () => Promise<void>;
  /** Who asked for this work: told when it ends (src/core/notify.ts). */
  requester?: Requester;
  /** Set when the work was reported as failed (the requester's receipt says so). */
  failed?: boolean;
}

const PLATFORMS: Record<string, NemoPlatform> = { tg: 'telegram', dc: 'discord', term: 'terminal' };

export function platformOf(address: ChatAddress, fallback: NemoPlatform = 'terminal'): NemoPlatform {
  const i = address.indexOf(':');
  return PLATFORMS[i < 0 ? address : address.slice(0, i)] ?? fallback;
}

export function makeCtx(
  core: Core,
  chat: ChatPort,
  record: SessionRecord,
  lang: Lang,
  platform?: NemoPlatform,
): ChatCtx {
  const address = chat.address;
  const log = core.logger.child({ chat: address });
  const out = (message: string | OutMessage): OutMessage =>
    typeof message === 'string' ? { text: message, lang } : { lang, ...message };
  const say = async (message: string | OutMessage): Promise<SentRef | undefined> => {
    try {
      return await chat.send(out(message));
    } catch (e) {
      log.warn({ err: errInfo(e) }, 'chat send failed');
      return undefined;
    }
  };
  return {
    core,
    chat,
    address,
    lang,
    m: messages(lang),
    platform: platform ?? platformOf(address),
    log,
    record,
    say,
    async update(ref, message) {
      if (!ref) return say(message);
      try {
        await chat.edit(ref, out(message));
        return ref;
      } catch (e) {
        log.debug({ err: errInfo(e) }, 'chat edit failed; sending instead');
        return say(message);
      }
    },
  };
}

/** A loggable summary of an error: its name, code and message, never a request body. */
export function errInfo(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const x = e as Error & { code?: unknown; status?: unknown; path?: unknown };
  return { name: x.name, code: x.code, status: x.status, path: x.path, message: x.message };
}
