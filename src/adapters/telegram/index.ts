import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import type { AdapterDeps, AdapterHandle } from '../types.ts';
import { ChatPorts } from './chat-port.ts';
import { menuCalls } from './commands.ts';
import { Reactions } from './reactions.ts';
import { identify, startPolling, startWebhook } from './transport.ts';
import { installHandlers } from './updates.ts';

// The Telegram adapter: grammY against TELEGRAM_API_ROOT, long polling or a webhook, chats registered with
// the engine under the `tg` prefix so late results (resumed jobs) can reach them.

export interface TelegramOptions {
  /** Minimum gap between edits of one message; tests shorten it. */
  editGapMs?: number;
}

export async function startTelegram(
  deps: AdapterDeps,
  options: TelegramOptions = {},
): Promise<AdapterHandle> {
  const { config, secrets } = deps;
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  secrets.add(token);
  const logger = deps.logger.child({ adapter: 'telegram' });
  const apiRoot = config.TELEGRAM_API_ROOT.replace(/\/+$/, '');
  const bot = new Bot(token, { client: { apiRoot } });

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
  bot.catch((err) =>
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'telegram update failed'),
  );

  const ports = new ChatPorts({
    api: bot.api,
    logger,
    local: config.TELEGRAM_LOCAL_API,
    editGapMs: options.editGapMs ?? 1_000,
    reactions: new Reactions(bot.api, logger),
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

  await Promise.all(
    menuCalls().map(({ commands, ...scope }) => bot.api.setMyCommands(commands, scope)),
  ).catch((err: unknown) =>
    logger.warn({ err: (err as Error).message }, 'setMyCommands failed; the menu may be stale'),
  );

  const report = (status: 'ok' | 'down', reason?: string) => deps.health?.report('telegram', status, reason);
  const transport = config.TELEGRAM_WEBHOOK_URL
    ? await startWebhook(bot, logger, {
        url: config.TELEGRAM_WEBHOOK_URL,
        secret: config.TELEGRAM_WEBHOOK_SECRET,
        token,
        secrets,
        mount: deps.mount,
        report,
      })
    : startPolling(bot, logger, report);

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
  return { stop };
}
