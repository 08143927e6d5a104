import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Bot, GrammyError, HttpError, webhookCallback } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { CheckStatus } from '../../health.ts';
import type { Logger, Secrets } from '../../secrets.ts';
import type { GrammySignal } from './media.ts';

// How updates reach the bot: long polling (default) or a webhook on main's HTTP server. Also the startup
// identity check, where a wrong token must fail fast with one line.

export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

const STARTUP_ATTEMPTS = 6;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** getMe: a rejected token throws one line at once; an unreachable server is retried with backoff, then throws. */
export async function identify(bot: Bot, logger: Logger, signal?: AbortSignal): Promise<UserFromGetMe> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bot.api.getMe(signal as GrammySignal);
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 401) {
        throw new Error('Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)');
      }
      if (err instanceof GrammyError && err.error_code === 404) {
        throw new Error(
          'Telegram rejected TELEGRAM_BOT_TOKEN (404 Not Found: malformed token or wrong TELEGRAM_API_ROOT)',
        );
      }
      const transient = err instanceof HttpError || (err instanceof GrammyError && err.error_code >= 429);
      if (!transient || attempt >= STARTUP_ATTEMPTS || signal?.aborted) {
        throw new Error(`Could not reach the Telegram Bot API (${(err as Error).message})`);
      }
      const delayMs = 500 * 2 ** attempt;
      logger.warn({ attempt, delayMs, err: (err as Error).message }, 'Telegram unreachable; retrying getMe');
      await sleep(delayMs, signal);
    }
  }
}

export interface Polling {
  stop(): Promise<void>;
  /** Long polling runs and its last getUpdates was answered (false during a 409 Conflict or an outage). */
  isPolling(): boolean;
}

/** A getUpdates still unanswered after this long was accepted (a conflicting one is refused at once). */
const ACCEPTED_AFTER_MS = 1_000;
/** Longest pause between two tries after 409 Conflict, in multiples of TELEGRAM_CONFLICT_RETRY_MS. */
const CONFLICT_MAX_FACTOR = 32;

/**
 * Long polling that outlives a 409 Conflict. grammY's `bot.start` rejects on 409 (another process polls with
 * this token: an old instance still running during a deploy) and would leave the bot deaf; here polling starts
 * again after a pause (TELEGRAM_CONFLICT_RETRY_MS, doubling up to 32×) until the other poller is gone.
 * `isPolling()` is false meanwhile, for a readiness check. Only a rejected token (401) stops it for good.
 */
export function startPolling(
  bot: Bot,
  logger: Logger,
  opts: { conflictRetryMs: number; report?: (status: CheckStatus, reason?: string) => void },
): Polling {
  const report = opts.report ?? (() => {});
  let stopped = false;
  let failed = false;
  let conflicts = 0;
  const pause = new AbortController();
  // A getUpdates that fails (409 comes at once) makes polling unhealthy until one is answered, or is still held
  // after a moment: a long poll the server holds is one it accepted.
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    const held = setTimeout(() => {
      failed = false;
    }, ACCEPTED_AFTER_MS);
    try {
      const res = await prev(method, payload, signal);
      failed = !res.ok;
      if (res.ok) conflicts = 0;
      return res;
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      clearTimeout(held);
    }
  });
  const loop = (async () => {
    while (!stopped) {
      try {
        await bot.start({
          drop_pending_updates: false,
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: (me) => {
            logger.info({ bot: me.username, mode: 'polling' }, 'telegram bot started');
            report('ok', 'polling');
          },
        });
        if (stopped) return;
        logger.warn({}, 'Telegram polling ended by itself; starting it again');
      } catch (err) {
        if (stopped) return;
        report('down', `polling stopped${err instanceof GrammyError ? `: ${err.error_code}` : ''}`);
        if (err instanceof GrammyError && err.error_code === 401) {
          logger.error({}, 'Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized) while polling');
          return;
        }
        if (err instanceof GrammyError && err.error_code === 409) {
          conflicts += 1;
          const waitMs = opts.conflictRetryMs * Math.min(CONFLICT_MAX_FACTOR, 2 ** (conflicts - 1));
          logger.error(
            { waitMs, conflicts },
            'Telegram: another process is polling with this token (409 Conflict); polling again after a pause. Run one instance, or set TELEGRAM_WEBHOOK_URL.',
          );
          await sleep(waitMs, pause.signal);
          continue;
        }
        logger.error({ err }, 'Telegram polling stopped; starting it again');
      }
      await sleep(opts.conflictRetryMs, pause.signal);
    }
  })();
  return {
    isPolling: () => !stopped && !failed && bot.isRunning(),
    async stop() {
      stopped = true;
      pause.abort();
      if (bot.isRunning()) await bot.stop();
      await loop;
    },
  };
}

export interface WebhookOptions {
  url: string;
  /** TELEGRAM_WEBHOOK_SECRET, else derived from the token so every instance agrees on it. */
  secret: string | undefined;
  token: string;
  secrets: Secrets;
  mount(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  report?: (status: CheckStatus, reason?: string) => void;
}

/** Webhook mode: serves the URL's path on main's server and registers it with Telegram (secret_token checked). */
export async function startWebhook(
  bot: Bot,
  logger: Logger,
  opts: WebhookOptions,
): Promise<{ stop(): Promise<void> }> {
  const secret = opts.secret ?? createHash('sha256').update(`nemo-video-bot:${opts.token}`).digest('hex');
  opts.secrets.add(secret);
  const url = new URL(opts.url);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/telegram/webhook';
  // Handlers never await a turn, so the answer goes out fast; the timeout only guards a stuck store.
  const callback = webhookCallback(bot, 'http', {
    secretToken: secret,
    onTimeout: 'return',
    timeoutMilliseconds: 9_000,
  });
  let stopped = false;
  opts.mount(url.pathname, (req, res) => {
    // After stop, Telegram keeps the update and delivers it again later (to this or another instance).
    if (stopped) return void res.writeHead(503).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    callback(req, res).catch((err: unknown) => {
      logger.error({ err }, 'telegram webhook update failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await bot.api.setWebhook(url.toString(), {
    secret_token: secret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: false,
  });
  logger.info({ bot: bot.botInfo.username, mode: 'webhook', path: url.pathname }, 'telegram bot started');
  opts.report?.('ok', 'webhook');
  return {
    async stop() {
      stopped = true;
    },
  };
}
