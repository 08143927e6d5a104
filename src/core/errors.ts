// A failure becomes one message in the user's language; the log gets the code (never a token: the
// client's errors carry none, and the logger redacts known secrets anyway).

import type { BotErrorCode, ErrorContext } from '../i18n/index.ts';
import { isNemoError } from '../nemo/errors.ts';
import { SUPPORTED_FORMATS } from '../nemo/types.ts';
import { type ChatCtx, errInfo } from './context.ts';
import type { OutMessage } from './ports.ts';

/** Why the core refused a file or a link once it looked at it (its content, NemoVideo's answer to a link). */
export type RefusalCode = 'empty_file' | 'content_mismatch' | 'not_media' | 'url_unfetchable';

/** A refusal already worded in the chat's language; the turn reports it like any error. */
export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    readonly text: string,
  ) {
    super(code);
  }
}

/**
 * The code a failure is shown and logged by. A 404 without ADK's "Session not found" on a route NemoVideo has
 * means NEMO_API_URL points elsewhere (a stray path); render ids are the one thing a real 404 can be about.
 */
export function errorCode(e: unknown): BotErrorCode | undefined {
  if (!isNemoError(e)) return undefined;
  if (e.code === 'backend' && e.status === 404 && !e.path?.includes('/render/')) return 'backend_url_wrong';
  return e.code;
}

export const REGISTER_URL = 'https://nemovideo.com/register';

export const formatList = (): string => SUPPORTED_FORMATS.join(', ');

export function registerUrl(userId: string): string {
  return `${REGISTER_URL}?bind=${encodeURIComponent(userId)}`;
}

/** The text a user sees for an error. */
export function errorText(ctx: ChatCtx, e: unknown): string {
  if (e instanceof Refusal) return e.text;
  const code = errorCode(e);
  if (!isNemoError(e) || !code) return ctx.m.internal;
  const userId = ctx.record.userId ?? ctx.record.anon?.userId ?? e.userId;
  const c: ErrorContext = {
    operator: Boolean(ctx.core.config.NEMO_TOKEN),
    platform: ctx.platform,
    formats: formatList(),
    maxMb: ctx.core.config.MAX_UPLOAD_MB,
  };
  if (userId) c.registerUrl = registerUrl(userId);
  return ctx.m.errors[code](c);
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
  } else if (e instanceof Refusal) {
    ctx.log.info({ code: e.code }, `${what} refused`);
  } else {
    ctx.log.error({ err: errInfo(e) }, `${what} failed`);
  }
  await ctx.say(audience(errorCode(e), errorText(ctx, e)));
}

/**
 * Token trouble goes to the asker alone (a DM where the chat is a group); rate limits and a wrong backend
 * address are the operator's business, so only the asker sees them where that is free (Discord: ephemeral).
 */
function audience(code: BotErrorCode | undefined, text: string): OutMessage {
  if (code === 'token_invalid' || code === 'client_id_missing') return { text, private: true };
  if (code === 'trial_limit' || code === 'rate_limited' || code === 'backend_url_wrong')
    return { text, ephemeral: true };
  return { text };
}
