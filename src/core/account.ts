// The NemoVideo identity of a chat (design.md decision 8) and its session. With NEMO_TOKEN every chat uses
// the operator's account; without it each chat has its own anonymous trial token, acquired on first use
// with the chat's persisted client id and saved whenever the client re-acquires it.

import type { Credentials, NemoAccount } from '../nemo/types.ts';
import type { ChatCtx, Core } from './context.ts';
import { nemoLanguage } from './language.ts';
import type { AnonCredentials, SessionRecord } from './sessions.ts';

function credentialsOf(core: Core, record: SessionRecord): Credentials {
  const token = core.config.NEMO_TOKEN;
  if (token) return { kind: 'operator', token };
  const c: Credentials = { kind: 'anonymous', clientId: record.clientId };
  const anon = record.anon;
  if (anon?.token) c.token = anon.token;
  if (anon?.userId) c.userId = anon.userId;
  if (anon?.expiresAt) c.expiresAt = anon.expiresAt;
  return c;
}

async function saveCredentials(ctx: ChatCtx, c: Credentials): Promise<void> {
  if (c.kind !== 'anonymous') return;
  ctx.core.secrets.add(c.token);
  ctx.core.secrets.add(c.clientId);
  const anon: AnonCredentials = {};
  if (c.token) anon.token = c.token;
  if (c.userId) anon.userId = c.userId;
  if (c.expiresAt) anon.expiresAt = c.expiresAt;
  const userId = c.userId;
  await ctx.core.sessions.update(ctx.address, (r) => {
    r.anon = anon;
    if (userId) r.userId = userId;
  });
}

/** The chat's account (cached per chat, so a re-acquired token is reused by the next call). */
export function accountFor(ctx: ChatCtx): NemoAccount {
  const { core, address } = ctx;
  const cached = core.accounts.get(address);
  if (cached) return cached;
  const credentials = credentialsOf(core, ctx.record);
  if (credentials.kind === 'operator') core.secrets.add(credentials.token);
  else {
    core.secrets.add(credentials.clientId);
    core.secrets.add(credentials.token);
  }
  const account = core.nemo.account(credentials, {
    platform: ctx.platform,
    onCredentials: (c) =>
      saveCredentials(ctx, c).catch((e: unknown) =>
        ctx.log.warn({ err: String(e) }, 'could not persist credentials'),
      ),
  });
  core.accounts.set(address, account);
  return account;
}

/** Saves the account's credentials when the client changed them without telling (first acquisition). */
export async function syncCredentials(ctx: ChatCtx, account: NemoAccount): Promise<void> {
  const c = account.credentials;
  if (c.kind !== 'anonymous' || !c.token || c.token === ctx.record.anon?.token) return;
  await saveCredentials(ctx, c);
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
  const account = accountFor(ctx);
  const existing = ctx.record.sessionId;
  if (existing && !opts.fresh) return { account, sessionId: existing, created: false };
  if (!opts.fresh) await ctx.say(ctx.m.connecting);
  const info = await account.createSession(nemoLanguage(ctx.lang), signal);
  await syncCredentials(ctx, account);
  await ctx.core.sessions.update(ctx.address, (r) => {
    r.sessionId = info.sessionId;
    r.taskId = info.taskId;
    r.sessionLang = ctx.lang;
    if (info.userId) r.userId = info.userId;
  });
  ctx.log.info({ fresh: Boolean(opts.fresh) }, 'session created');
  return { account, sessionId: info.sessionId, created: true };
}
