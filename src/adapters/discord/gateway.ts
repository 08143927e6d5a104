import { Client, type ClientOptions, Events, type REST, Routes } from 'discord.js';
import type { Logger, Secrets } from '../../secrets.ts';

// Who the bot is (over REST, so an instance that never opens the gateway checks its token too) and the
// gateway connection itself: a fresh discord.js Client per term as the gateway holder, destroyed when the
// term ends. Handlers are installed on each new client; everything else goes through the adapter's REST.

/** Startup failures: one line, never the token. */
export class DiscordStartError extends Error {
  override name = 'DiscordStartError';
}

const BAD_TOKEN =
  'Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the Developer Portal';

const CLOSE_REASONS: Record<number, string> = {
  4004: 'Discord rejected DISCORD_TOKEN (gateway authentication failed): copy the bot token again from the Developer Portal',
  4013: 'Discord refused the gateway intents (invalid intents)',
  4014: 'Discord refused the gateway intents: this bot only needs Guilds, Guild Messages and Direct Messages (no privileged intents)',
};

/** The bot user and its application: checks the token without a gateway session. */
export async function whoAmI(rest: REST): Promise<{ botId: string; appId: string }> {
  try {
    const [user, app] = (await Promise.all([
      rest.get(Routes.user('@me')),
      rest.get(Routes.currentApplication()),
    ])) as [{ id: string }, { id: string }];
    return { botId: user.id, appId: app.id };
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (e.status === 401) throw new DiscordStartError(BAD_TOKEN);
    throw new DiscordStartError(`Could not reach Discord: ${e.message ?? String(err)}`);
  }
}

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
        if (e.code === 'TokenInvalid' || e.status === 401) throw new DiscordStartError(BAD_TOKEN);
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

export interface GatewayOptions {
  clientOptions: ClientOptions;
  token: string;
  /** How long login may take before it counts as failed. */
  timeoutMs: number;
  /** Installs the adapter's handlers (and counters) on a new client. */
  install(client: Client): void;
  /** Readiness of this instance's gateway connection. */
  report(status: 'ok' | 'down', reason: string): void;
  logger: Logger;
  secrets: Secrets;
}

export class Gateway {
  #client: Client | undefined;

  constructor(private readonly o: GatewayOptions) {}

  get connected(): boolean {
    return this.#client?.isReady() ?? false;
  }

  /** Logs in and waits for READY; rejects with a DiscordStartError (one line, no token). */
  async open(): Promise<void> {
    const client = new Client(this.o.clientOptions);
    this.#client = client;
    this.o.install(client);
    try {
      await connect(client, this.o.token, this.o.timeoutMs);
    } catch (err) {
      if (this.#client === client) this.#client = undefined;
      await client.destroy().catch(() => {});
      throw err instanceof DiscordStartError
        ? err
        : new DiscordStartError(this.o.secrets.redact(String(err)));
    }
    if (this.#client !== client) {
      await client.destroy().catch(() => {});
      throw new DiscordStartError('the gateway was given up while connecting');
    }
    // Readiness follows the gateway: discord.js reconnects by itself; until it has, this instance hears nothing.
    const live = () => this.#client === client;
    const report = (status: 'ok' | 'down', reason: string) => live() && this.o.report(status, reason);
    client.on(Events.ShardDisconnect, (e) => report('down', `gateway closed (${e.code})`));
    client.on(Events.ShardReconnecting, () => report('down', 'gateway reconnecting'));
    client.on(Events.ShardResume, () => report('ok', 'gateway'));
    client.on(Events.ShardReady, () => report('ok', 'gateway'));
    report('ok', 'gateway');
    this.o.logger.info(
      { bot: client.user?.tag, guilds: client.guilds.cache.size },
      'discord gateway connected',
    );
  }

  /** Closes the session at once (a deposed holder must not hear another event). */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    await client.destroy();
    this.o.logger.info({}, 'discord gateway closed');
  }
}
