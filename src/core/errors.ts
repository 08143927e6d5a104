// A failure becomes one message in the user's language; the log gets the code (never a token: the
// client's errors carry none, and the logger redacts known secrets anyway).

import type { ErrorContext } from '../i18n/index.ts';
import { isNemoError } from '../nemo/errors.ts';
import { SUPPORTED_FORMATS } from '../nemo/types.ts';
import { type ChatCtx, errInfo } from './context.ts';
import { notifyField } from './notify.ts';

export const REGISTER_URL = 'https://nemovideo.com/register';

export const formatList = (): string => SUPPORTED_FORMATS.join(', ');

export function registerUrl(userId: string): string {
  return `${REGISTER_URL}?bind=${encodeURIComponent(userId)}`;
}

/** The text a user sees for an error. */
export function errorText(ctx: ChatCtx, e: unknown): string {
  if (!isNemoError(e)) return ctx.m.internal;
  const userId = ctx.record.userId ?? ctx.record.anon?.userId ?? e.userId;
  const c: ErrorContext = {
    operator: Boolean(ctx.core.config.NEMO_TOKEN),
    formats: formatList(),
    maxMb: ctx.core.config.MAX_UPLOAD_MB,
  };
  if (userId) c.registerUrl = registerUrl(userId);
  return ctx.m.errors[e.code](c);
}

/** Logs the failure and tells the user. */
export async function reportError(ctx: ChatCtx, e: unknown, what: string): Promise<void> {
  ctx.core.metrics.errorCode(isNemoError(e) ? e.code : 'internal');
  if (isNemoError(e)) {
    ctx.log.warn({ code: e.code, kind: e.kind, status: e.status, path: e.path }, `${what} failed`);
    if (e.code === 'session_not_found') {
      // The stored session is gone: the next prompt creates a new one instead of failing the same way.
      await ctx.core.sessions
        .update(ctx.address, (r) => {
          delete r.sessionId;
          delete r.taskId;
          delete r.sessionLang;
        })
        .catch(() => {});
    }
    if (e.userId && !ctx.record.userId) {
      const userId = e.userId;
      await ctx.core.sessions
        .update(ctx.address, (r) => {
          r.userId = userId;
        })
        .catch(() => {});
    }
  } else {
    ctx.log.error({ err: errInfo(e) }, `${what} failed`);
  }
  // Token trouble and rate limits are the operator's business, not the channel's (Discord: ephemeral).
  const quiet = isNemoError(e) && PRIVATE_CODES.has(e.code);
  ctx.failed = true;
  await ctx.say({ text: errorText(ctx, e), ...(quiet ? { private: true } : notifyField(ctx)) });
}

const PRIVATE_CODES: ReadonlySet<string> = new Set([
  'token_invalid',
  'trial_limit',
  'rate_limited',
  'client_id_missing',
]);
