import { Client, type ClientOptions, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { AdapterDeps, AdapterHandle } from '../types.ts';
import { registerCommands } from './commands.ts';
import { installHandlers } from './handlers.ts';
import { DiscordPorts } from './ports.ts';

// The Discord adapter: discord.js against DISCORD_API_URL (the gateway URL comes from GET /gateway/bot),
// slash commands registered on start, chats registered with the engine under `dc` so results can reach a
// channel after the interaction token has died.

export interface DiscordOptions {
  /** Lifetime of an interaction token (Discord: 15 minutes); tests shorten it. */
  interactionTtlMs?: number;
  /** How long login may take before startup fails. */
  readyTimeoutMs?: number;
  now?: () => number;
}

export const INTERACTION_TTL_MS = 15 * 60_000;

/**
 * @discordjs/rest sends with its own undici 6 `request`, which dispatches through the process-wide undici
 * dispatcher — set by whichever undici copy loads first (the NemoVideo client's undici 7). That copy cannot
 * read the global FormData of a message with files ("action is not a function"). The global fetch
 * serialises its own FormData before dispatching, whatever the dispatcher.
 */
const fetchRequest = ((url: string, init: RequestInit) => fetch(url, init)) as unknown as NonNullable<
  NonNullable<ClientOptions['rest']>['makeRequest']
>;

/** Startup failures: one line, never the token. */
export class DiscordStartError extends Error {
  override name = 'DiscordStartError';
}

const CLOSE_REASONS: Record<number, string> = {
  4004: 'Discord rejected DISCORD_TOKEN (gateway authentication failed): copy the bot token again from the Developer Portal',
  4013: 'Discord refused the gateway intents (invalid intents)',
  4014: 'Discord refused the gateway intents: this bot only needs Guilds, Guild Messages and Direct Messages (no privileged intents)',
};

async function connect(client: Client, token: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    client.on(Events.ShardDisconnect, (event) => {
      reject(
        new DiscordStartError(CLOSE_REASONS[event.code] ?? `Discord closed the gateway (code ${event.code})`),
      );
    });
    timer = setTimeout(
      () => reject(new DiscordStartError(`Discord did not become ready within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await Promise.race([
      client.login(token).catch((err: unknown) => {
        const e = err as { code?: string; status?: number; message?: string };
        if (e.code === 'TokenInvalid' || e.status === 401)
          throw new DiscordStartError(
            'Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the Developer Portal',
          );
        throw new DiscordStartError(`Could not reach Discord: ${e.message ?? String(err)}`);
      }),
      failed,
    ]);
    await Promise.race([ready, failed]);
  } finally {
    clearTimeout(timer);
    failed.catch(() => {});
  }
}

export async function startDiscord(deps: AdapterDeps, options: DiscordOptions = {}): Promise<AdapterHandle> {
  const { config, secrets } = deps;
  const token = config.DISCORD_TOKEN;
  if (!token) throw new DiscordStartError('DISCORD_TOKEN is not set');
  secrets.add(token);
  const logger = deps.logger.child({ adapter: 'discord' });
  const api = config.DISCORD_API_URL?.replace(/\/+$/, '');
  const client = new Client({
    // No privileged intent: DMs and messages that mention the bot still carry their content.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    // DM channels are not cached; without this partial their messages would be dropped.
    partials: [Partials.Channel],
    allowedMentions: { parse: [] },
    // A video upload may take longer than the default 15 s, and a timed-out POST is retried by default:
    // the upload may have landed, so a retry could post the video twice. 429s are queued, not "retried".
    rest: { ...(api ? { api } : {}), makeRequest: fetchRequest, timeout: 120_000, retries: 0 },
  });

  try {
    await connect(client, token, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await client.destroy().catch(() => {});
    throw err instanceof DiscordStartError ? err : new DiscordStartError(secrets.redact(String(err)));
  }
  const botId = client.user?.id ?? '';
  const appId = client.application?.id ?? botId;
  logger.info({ bot: client.user?.tag, guilds: client.guilds.cache.size }, 'discord connected');

  await registerCommands(client.rest, appId, config.DISCORD_GUILD_ID).catch((err: unknown) =>
    logger.warn({ err: (err as Error).message }, 'registering slash commands failed; they may be stale'),
  );

  const ports = new DiscordPorts({
    rest: client.rest,
    logger,
    ttlMs: options.interactionTtlMs ?? INTERACTION_TTL_MS,
    now: options.now ?? Date.now,
  });
  deps.engine.registerChats('dc', (address) => ports.resolve(address));
  installHandlers(client, {
    engine: deps.engine,
    logger,
    ports,
    botId,
  });
  client.on(Events.Error, (err) => logger.warn({ err: err.message }, 'discord client error'));
  // For /metrics: `route` is the rate-limit route, ids and tokens already replaced by placeholders.
  client.rest.on('response', (req, res) => {
    if (res.ok) return;
    const method = `${req.method} ${req.route}`;
    deps.metrics?.platformError('discord', method, res.status);
    // A 429 is always sent again after its delay (`retries: 0` covers only 5xx and timeouts).
    if (res.status === 429) deps.metrics?.platformRetry('discord', method);
  });
  // Readiness follows the gateway: discord.js reconnects by itself; until it has, this instance hears nothing.
  const report = (status: 'ok' | 'down', reason: string) => deps.health?.report('discord', status, reason);
  client.on(Events.ShardDisconnect, (e) => report('down', `gateway closed (${e.code})`));
  client.on(Events.ShardReconnecting, () => report('down', 'gateway reconnecting'));
  client.on(Events.ShardResume, () => report('ok', 'gateway'));
  client.on(Events.ShardReady, () => report('ok', 'gateway'));
  report('ok', 'gateway');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await client.destroy();
      logger.info({}, 'discord adapter stopped');
    })();
    return stopping;
  };
  deps.signal?.addEventListener('abort', () => void stop());
  return { stop };
}
