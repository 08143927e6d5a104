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

/** Long polling; resolves once polling runs. Errors after that (409: a second poller) are logged. */
export function startPolling(
  bot: Bot,
  logger: Logger,
  report: (status: CheckStatus, reason?: string) => void = () => {},
): { stop(): Promise<void> } {
  const polling = bot
    .start({
      drop_pending_updates: false,
      allowed_updates: [...ALLOWED_UPDATES],
      onStart: (me) => {
        logger.info({ bot: me.username, mode: 'polling' }, 'telegram bot started');
        report('ok', 'polling');
      },
    })
    .catch((err: unknown) => {
      report('down', `polling stopped${err instanceof GrammyError ? `: ${err.error_code}` : ''}`);
      if (err instanceof GrammyError && err.error_code === 409) {
        logger.error(
          {},
          'Telegram: another process is polling with this token (409 Conflict). Run one instance, or set TELEGRAM_WEBHOOK_URL.',
        );
      } else if (err instanceof GrammyError && err.error_code === 401) {
        logger.error({}, 'Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized) while polling');
      } else {
        logger.error({ err }, 'Telegram polling stopped');
      }
    });
  return {
    async stop() {
      if (bot.isRunning()) await bot.stop();
      await polling;
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
