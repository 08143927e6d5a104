import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../secrets.ts';
import { StoreError } from './errors.ts';
import type { AtomicAdd } from './once.ts';

/** Attempts at startup before createStore gives up; afterwards the client reconnects forever. */
const STARTUP_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 3_000;

type Client = ReturnType<typeof newClient>;

/** @keyv/redis plus the atomic set-if-absent `firstTime` needs, and a close that never hangs. */
export class RedisStore extends KeyvRedis<string> implements AtomicAdd {
  readonly #own: Client;

  constructor(client: Client, namespace: string) {
    // The cast only bridges generic defaults that exactOptionalPropertyTypes rejects; it is the same client.
    super(client as unknown as RedisClientType, {
      namespace,
      throwOnErrors: true,
      throwOnConnectError: true,
    });
    this.#own = client;
  }

  async addIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.#own.set(this.createKeyPrefix(key, this.namespace), value, {
      NX: true,
      PX: ttlMs,
    });
    return reply === 'OK';
  }

  /** Graceful QUIT when connected; while reconnecting a QUIT would wait for a server that is gone. */
  override async disconnect(): Promise<void> {
    if (this.#own.isReady) await this.#own.close();
    else if (this.#own.isOpen) this.#own.destroy();
  }
}

/**
 * Connects before returning, so a wrong STORE_URL or a Redis that is down fails startup with one clear line
 * instead of every later call. Commands are not queued while the connection is down (disableOfflineQueue):
 * they reject at once and the caller reports it, rather than hanging a chat until Redis returns.
 */
export async function openRedis(url: string, namespace: string, logger: Logger): Promise<RedisStore> {
  const where = describeRedisUrl(url);
  let ready = false;
  const client = newClient(url, () => ready);
  // Without a listener node-redis' 'error' events would crash the process; the reconnect loop repeats them.
  let lastLogged = '';
  client.on('error', (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (ready && msg !== lastLogged) logger.warn({ err: msg, redis: where }, 'redis connection error');
    lastLogged = msg;
  });
  client.on('ready', () => {
    if (ready && lastLogged) logger.info({ redis: where }, 'redis reconnected');
    lastLogged = '';
  });
  try {
    await client.connect();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (client.isOpen) client.destroy();
    throw new StoreError('store_unreachable', `cannot reach Redis at ${where}: ${reason}`, { cause: err });
  }
  ready = true;
  return new RedisStore(client, namespace);
}

function newClient(url: string, started: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number, cause: Error) =>
        !started() && retries >= STARTUP_ATTEMPTS - 1 ? cause : Math.min(2 ** retries * 100, 2_000),
    },
  });
}

/** scheme://host:port only: the URL may carry a password. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis (unparsable STORE_URL)';
  }
}
