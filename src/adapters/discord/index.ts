import { hostname } from 'node:os';
import { Client, type ClientOptions, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { AdapterDeps, AdapterHandle } from '../types.ts';
import { registerCommands } from './commands.ts';
import { Election } from './election.ts';
import { DiscordStartError, Gateway, whoAmI } from './gateway.ts';
import { installHandlers } from './handlers.ts';
import { CallbackBridge, type Endpoint, interactionsEndpoint } from './http-interactions.ts';
import { DiscordPorts } from './ports.ts';
import { publicKeyFromHex } from './verify.ts';

export { DiscordStartError } from './gateway.ts';

// The Discord adapter: discord.js against DISCORD_API_URL (the gateway URL comes from GET /gateway/bot),
// slash commands registered on start, chats registered with the engine under `dc` so results can reach a
// channel after the interaction token has died. Several instances on Redis: one elected instance holds the
// gateway (election.ts), every instance serves HTTP interactions (http-interactions.ts) and posts over REST.

export interface DiscordOptions {
  /** Lifetime of an interaction token (Discord: 15 minutes); tests shorten it. */
  interactionTtlMs?: number;
  /** How long login may take before startup fails. */
  readyTimeoutMs?: number;
  now?: () => number;
  /** How long an interaction received over HTTP may wait for its handler's first answer (Discord: 3 s). */
  httpAckMs?: number;
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

export async function startDiscord(deps: AdapterDeps, options: DiscordOptions = {}): Promise<AdapterHandle> {
  const { config, secrets } = deps;
  const token = config.DISCORD_TOKEN;
  if (!token) throw new DiscordStartError('DISCORD_TOKEN is not set');
  secrets.add(token);
  const logger = deps.logger.child({ adapter: 'discord' });
  const api = config.DISCORD_API_URL?.replace(/\/+$/, '');
  const bridge = new CallbackBridge();
  const clientOptions: ClientOptions = {
    // No privileged intent: DMs and messages that mention the bot still carry their content.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    // DM channels are not cached; without this partial their messages would be dropped.
    partials: [Partials.Channel],
    allowedMentions: { parse: [] },
    // A video upload may take longer than the default 15 s, and a timed-out POST is retried by default:
    // the upload may have landed, so a retry could post the video twice. 429s are queued, not "retried".
    rest: {
      ...(api ? { api } : {}),
      makeRequest: bridge.wrap(fetchRequest),
      timeout: 120_000,
      retries: 0,
    },
  };
  // REST for every instance (ports, HTTP interactions); it never logs in. The gateway has clients of its own.
  const client = new Client(clientOptions);
  client.rest.setToken(token);
  const report = (status: 'ok' | 'down', reason: string) => deps.health?.report('discord', status, reason);
  const { botId, appId } = await whoAmI(client.rest).catch(async (err: unknown) => {
    await client.destroy().catch(() => {});
    throw err;
  });

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
  // Two instances briefly on the gateway (a holder stalled past its lease) must not answer a message twice.
  const shared = /^rediss?:/.test(config.STORE_URL);
  const firstSeen = (id: string) => deps.state.setIfAbsent(`discord:message:${id}`, 1, 15 * 60_000);
  const install = (c: Client) => {
    installHandlers(c, {
      engine: deps.engine,
      logger,
      ports,
      botId,
      ...(shared ? { firstSeen } : {}),
    });
    c.on(Events.Error, (err) => logger.warn({ err: err.message }, 'discord client error'));
    // For /metrics: `route` is the rate-limit route, ids and tokens already replaced by placeholders.
    c.rest.on('response', (req, res) => {
      if (res.ok) return;
      const method = `${req.method} ${req.route}`;
      deps.metrics?.platformError('discord', method, res.status);
      // A 429 is always sent again after its delay (`retries: 0` covers only 5xx and timeouts).
      if (res.status === 429) deps.metrics?.platformRetry('discord', method);
    });
  };
  install(client);

  let endpoint: Endpoint | undefined;
  if (config.DISCORD_PUBLIC_KEY) {
    endpoint = interactionsEndpoint({
      client,
      bridge,
      publicKey: publicKeyFromHex(config.DISCORD_PUBLIC_KEY),
      state: deps.state,
      logger,
      ackMs: options.httpAckMs ?? 2_500,
      now: Date.now,
    });
    deps.mount(config.DISCORD_INTERACTIONS_PATH, endpoint.handle);
    logger.info({ path: config.DISCORD_INTERACTIONS_PATH }, 'discord http interactions served');
  }

  const gateway = new Gateway({
    clientOptions,
    token,
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    install,
    report,
    logger,
    secrets,
  });
  let election: Election | undefined;
  try {
    if (!config.DISCORD_GATEWAY) report('ok', 'http interactions');
    else if (!shared) await gateway.open();
    else {
      election = new Election({
        state: deps.state,
        key: 'discord:gateway',
        owner: deps.instanceId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
        leaseMs: config.DISCORD_GATEWAY_LEASE_MS,
        logger,
        elected: () => gateway.open(),
        deposed: async () => {
          await gateway.close();
          report('ok', 'standby');
        },
        tookOver: () => deps.metrics?.leaseTakeover('gateway'),
      });
      if (!(await election.start())) report('ok', 'standby');
    }
  } catch (err) {
    await client.destroy().catch(() => {});
    throw err instanceof DiscordStartError ? err : new DiscordStartError(secrets.redact(String(err)));
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      endpoint?.close();
      await (election ? election.stop() : gateway.close());
      await client.destroy();
      logger.info({}, 'discord adapter stopped');
    })();
    return stopping;
  };
  deps.signal?.addEventListener('abort', () => void stop());
  return { stop };
}
