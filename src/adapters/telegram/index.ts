import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import type { AdapterDeps, AdapterHandle } from '../types.ts';
import { ChatPorts } from './chat-port.ts';
import { menu } from './commands.ts';
import { frontCheckedFetch, retryUnprocessed } from './retry.ts';
import { identify, type Polling, startPolling, startWebhook } from './transport.ts';
import { installHandlers } from './updates.ts';

// The Telegram adapter: grammY against TELEGRAM_API_ROOT, long polling or a webhook, chats registered with
// the engine under the `tg` prefix so late results (resumed jobs) can reach them.

/** How many times a call Telegram surely did not process is sent again (first wait TELEGRAM_RETRY_MS, doubling). */
const RESEND_ATTEMPTS = 5;

export interface TelegramOptions {
  /** Minimum gap between edits of one message; tests shorten it. */
  editGapMs?: number;
}

/** The Telegram adapter's handle: also says whether updates can arrive (for a readiness check). */
export interface TelegramHandle extends AdapterHandle {
  /** Long polling runs and Telegram answers it (false during a 409 Conflict, an outage, or in webhook mode). */
  isPolling(): boolean;
  /** Updates can reach the bot: polling as above, or a registered webhook. */
  receiving(): boolean;
}

export async function startTelegram(
  deps: AdapterDeps,
  options: TelegramOptions = {},
): Promise<TelegramHandle> {
  const { config, secrets } = deps;
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  secrets.add(token);
  const logger = deps.logger.child({ adapter: 'telegram' });
  const apiRoot = config.TELEGRAM_API_ROOT.replace(/\/+$/, '');
  // frontCheckedFetch: grammY's fetch, but a 502/503 page from Telegram's front is told apart (retry.ts).
  const bot = new Bot(token, { client: { apiRoot, fetch: frontCheckedFetch as never } });

  bot.botInfo = await identify(bot, logger, deps.signal);
  // 429 retry_after and 5xx are retried (bounded). Network errors are not: auto-retry would retry them
  // without limit (hanging shutdown while Telegram is unreachable), and a timed-out sendVideo may have
  // arrived, so sending it again could post the video twice.
  // For /metrics, installed inside auto-retry so it sees every attempt; auto-retry passes the same payload
  // object again, which is how a retry is told from a new call.
  const tried = new WeakSet<object>();
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (payload && tried.has(payload)) deps.metrics?.platformRetry('telegram', method);
    if (payload) tried.add(payload);
    const res = await prev(method, payload, signal).catch((err: unknown) => {
      deps.metrics?.platformError('telegram', method, 'network');
      throw err;
    });
    if (!res.ok) deps.metrics?.platformError('telegram', method, res.error_code);
    return res;
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 10, maxDelaySeconds: 300, rethrowHttpErrors: true }));
  // Outside auto-retry: re-sends only what Telegram surely did not process (the rule is in retry.ts).
  bot.api.config.use(
    retryUnprocessed({ firstDelayMs: config.TELEGRAM_RETRY_MS, attempts: RESEND_ATTEMPTS, logger }),
  );
  bot.catch((err) =>
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'telegram update failed'),
  );

  const ports = new ChatPorts({
    api: bot.api,
    logger,
    local: config.TELEGRAM_LOCAL_API,
    editGapMs: options.editGapMs ?? 1_000,
  });
  deps.engine.registerChats('tg', (address) => ports.get(address));
  const albums = installHandlers(bot, {
    engine: deps.engine,
    state: deps.state,
    logger,
    api: bot.api,
    ports,
    media: { api: bot.api, token, apiRoot, local: config.TELEGRAM_LOCAL_API, secrets },
    me: { id: bot.botInfo.id, username: bot.botInfo.username },
    albumWaitMs: config.TELEGRAM_ALBUM_WAIT_MS,
  });

  await Promise.all([
    bot.api.setMyCommands(menu('en')),
    bot.api.setMyCommands(menu('zh'), { language_code: 'zh' }),
  ]).catch((err: unknown) =>
    logger.warn({ err: (err as Error).message }, 'setMyCommands failed; the menu may be stale'),
  );

  const report = (status: 'ok' | 'down', reason?: string) => deps.health?.report('telegram', status, reason);
  const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
  let polling: Polling | undefined;
  let transport: { stop(): Promise<void> };
  if (webhookUrl) {
    transport = await startWebhook(bot, logger, {
      url: webhookUrl,
      secret: config.TELEGRAM_WEBHOOK_SECRET,
      token,
      secrets,
      mount: deps.mount,
      report,
    });
  } else {
    polling = startPolling(bot, logger, { conflictRetryMs: config.TELEGRAM_CONFLICT_RETRY_MS, report });
    transport = polling;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await transport.stop();
      // Albums still collecting go to the engine now, which persists what it starts on close.
      albums.flush();
      logger.info({}, 'telegram adapter stopped');
    })();
    return stopping;
  };
  deps.signal?.addEventListener('abort', () => void stop());
  return {
    stop,
    isPolling: () => polling?.isPolling() ?? false,
    receiving: () => (polling ? polling.isPolling() : !stopping),
  };
}
