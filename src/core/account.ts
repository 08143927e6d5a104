// The NemoVideo identity of a chat (docs/decisions.md decision 8) and its session. With NEMO_TOKEN every chat uses
// the operator's account; without it each chat has its own anonymous trial token, acquired on first use
// with the chat's persisted client id and saved whenever the client acquires one (the one persistence path:
// the client's onCredentials).

import { LRUCache } from 'lru-cache';
import { isNemoError } from '../nemo/errors.ts';
import type { Credentials, NemoAccount, NemoClient, NemoPlatform } from '../nemo/types.ts';
import type { SecretScope, Secrets } from '../secrets.ts';
import type { ChatCtx } from './context.ts';
import { nemoLanguage } from './language.ts';
import type { ChatAddress } from './ports.ts';
import { trySave } from './saving.ts';
import type { AnonCredentials, SessionRecord, Sessions } from './sessions.ts';
import type { OwnAccounts } from './team/account-switch.ts';

/** How many chats' anonymous accounts stay cached; an evicted one is rebuilt from the chat's record. */
export const ACCOUNTS_CACHED = 1_000;

/** What `Accounts.for` needs of a chat. */
export type AccountChat = Pick<ChatCtx, 'address' | 'record' | 'platform' | 'log'>;

/** A cached account's life: its secrets stay registered until it is evicted and nothing of it runs. */
interface Life {
  /** The chat's token and client id, registered for redaction. */
  secrets: SecretScope;
  /** Calls and streams in flight. */
  busy: number;
  evicted: boolean;
}

interface Entry {
  account: NemoAccount;
  life: Life;
}

export interface AccountsDeps {
  nemo: NemoClient;
  sessions: Sessions;
  secrets: Secrets;
  /** NEMO_TOKEN: every chat uses this account. */
  operatorToken?: string | undefined;
  /**
   * Chats' own tokens (team controls, with BOT_SECRET_KEY): credentials precedence is the chat's own token
   * (a group's, linked by its admins; a private chat's, its user's) > NEMO_TOKEN > the chat's anonymous trial.
   */
  own?: OwnAccounts | undefined;
  /** Cache size (tests). */
  max?: number;
}

/** The owner of every chat's NemoAccount: a bounded cache, and the one place credentials are persisted. */
export class Accounts {
  readonly #deps: AccountsDeps;
  readonly #anon: LRUCache<ChatAddress, Entry>;
  /** With NEMO_TOKEN: one account per platform (the attribution header differs), shared by all chats. */
  readonly #operator = new Map<NemoPlatform, NemoAccount>();

  constructor(deps: AccountsDeps) {
    this.#deps = deps;
    this.#anon = new LRUCache<ChatAddress, Entry>({
      max: deps.max ?? ACCOUNTS_CACHED,
      dispose: ({ life }) => {
        life.evicted = true;
        if (life.busy === 0) life.secrets.clear();
      },
    });
  }

  /** The chat's account (cached, so a re-acquired token is reused by the next call). */
  for(chat: AccountChat, ignoreOwn = false): NemoAccount {
    const own = this.#deps.own;
    if (own && !ignoreOwn) return own.account(chat, () => this.for(chat, true));
    const token = this.#deps.operatorToken;
    if (token) {
      let account = this.#operator.get(chat.platform);
      if (!account) {
        account = this.#deps.nemo.account({ kind: 'operator', token }, { platform: chat.platform });
        this.#operator.set(chat.platform, account);
      }
      return account;
    }
    const cached = this.#anon.get(chat.address);
    if (cached) return cached.account;
    const life: Life = { secrets: this.#deps.secrets.scope(), busy: 0, evicted: false };
    const raw = this.#deps.nemo.account(anonymousCredentials(chat.record), {
      platform: chat.platform,
      secrets: life.secrets,
      onCredentials: (c) =>
        this.#save(chat.address, c).catch((e: unknown) =>
          chat.log.warn({ err: String(e) }, 'could not persist credentials'),
        ),
    });
    const account = tracked(raw, life);
    this.#anon.set(chat.address, { account, life });
    return account;
  }

  /**
   * The chat's record was read again (several instances): another instance may have acquired a new anonymous
   * token for it, so a cached account holding another token is dropped and rebuilt from the record.
   */
  sync(address: ChatAddress, record: SessionRecord): void {
    const c = this.#anon.peek(address)?.account.credentials;
    if (c?.kind === 'anonymous' && c.token !== record.anon?.token) this.#anon.delete(address);
  }

  /** How many chats' accounts are cached (tests). */
  get size(): number {
    return this.#anon.size;
  }

  async #save(address: ChatAddress, c: Credentials): Promise<void> {
    if (c.kind !== 'anonymous') return;
    const anon: AnonCredentials = {};
    if (c.token) anon.token = c.token;
    if (c.userId) anon.userId = c.userId;
    if (c.expiresAt) anon.expiresAt = c.expiresAt;
    const { clientId, userId } = c;
    await this.#deps.sessions.update(address, (r) => {
      // The token belongs to this client id (a record re-read after eviction may carry a new, unsaved one).
      r.clientId = clientId;
      r.anon = anon;
      if (userId) r.userId = userId;
    });
  }
}

function anonymousCredentials(record: SessionRecord): Credentials {
  const c: Credentials = { kind: 'anonymous', clientId: record.clientId };
  const anon = record.anon;
  if (anon?.token) c.token = anon.token;
  if (anon?.userId) c.userId = anon.userId;
  if (anon?.expiresAt) c.expiresAt = anon.expiresAt;
  return c;
}

/** The account, counting its calls and streams in flight in `life.busy`. */
function tracked(account: NemoAccount, life: Life): NemoAccount {
  const enter = () => {
    life.busy += 1;
  };
  const leave = () => {
    life.busy -= 1;
    if (life.busy === 0 && life.evicted) life.secrets.clear();
  };
  const use =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      enter();
      return fn(...args).finally(leave);
    };
  return {
    get credentials() {
      return account.credentials;
    },
    createSession: use(account.createSession.bind(account)),
    async *chat(sessionId, text, signal) {
      enter();
      try {
        yield* account.chat(sessionId, text, signal);
      } finally {
        leave();
      }
    },
    upload: use(account.upload.bind(account)),
    uploadUrls: use(account.uploadUrls.bind(account)),
    credits: use(account.credits.bind(account)),
    state: use(account.state.bind(account)),
    startRender: use(account.startRender.bind(account)),
    renderStatus: use(account.renderStatus.bind(account)),
    waitForRender: use(account.waitForRender.bind(account)),
    cancelRender: use(account.cancelRender.bind(account)),
    downloadRender: use(account.downloadRender.bind(account)),
    claimLink: use(account.claimLink.bind(account)),
  };
}

export interface Session {
  account: NemoAccount;
  sessionId: string;
  /** The session was created by this call (its draft is empty: no need to read the state before a turn). */
  created: boolean;
}

/**
 * The chat's NemoVideo session, created on first use in the reply language. `fresh` replaces an existing one
 * (after 1002); the user is told "Connecting…" only for a first session.
 */
export async function ensureSession(
  ctx: ChatCtx,
  signal: AbortSignal,
  opts: { fresh?: boolean } = {},
): Promise<Session> {
  const account = ctx.core.accounts.for(ctx);
  const existing = ctx.record.sessionId;
  if (existing && !opts.fresh) return { account, sessionId: existing, created: false };
  if (!opts.fresh) await ctx.say(ctx.m.connecting);
  const info = await account.createSession(nemoLanguage(ctx.lang), signal);
  // The cached record takes the session even when the write fails: this process keeps using it (told).
  await trySave(ctx, 'turn', () =>
    ctx.core.sessions.update(ctx.address, (r) => {
      r.sessionId = info.sessionId;
      r.taskId = info.taskId;
      r.sessionLang = ctx.lang;
      if (info.userId) r.userId = info.userId;
    }),
  );
  ctx.log.info({ fresh: Boolean(opts.fresh) }, 'session created');
  return { account, sessionId: info.sessionId, created: true };
}

/**
 * Runs `use` in the chat's session (created on first use). A request refused with 1002 never reached an
 * agent, so it is run once more in a new session (see `renewSession`). Only for requests that are safe to
 * repeat when refused (state, a claim link); never an agent message that may have been delivered.
 */
export async function withSession<T>(
  ctx: ChatCtx,
  signal: AbortSignal,
  use: (s: Session) => Promise<T>,
): Promise<T> {
  try {
    return await use(await ensureSession(ctx, signal));
  } catch (e) {
    return use(await renewSession(ctx, signal, e));
  }
}

/**
 * After a refusal `e`: when it is 1002 (NemoVideo no longer knows the chat's session), starts a new session and
 * tells the chat its old project could not be found; any other error is thrown on.
 */
export async function renewSession(ctx: ChatCtx, signal: AbortSignal, e: unknown): Promise<Session> {
  if (!isNemoError(e, 'session_not_found')) throw e;
  ctx.log.info({}, 'session not found (1002): starting a new one');
  const fresh = await ensureSession(ctx, signal, { fresh: true });
  await ctx.say(ctx.m.newSession);
  return fresh;
}
