import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../secrets.ts';
import { StoreError } from './errors.ts';

/** Attempts at startup before createStore gives up; afterwards the client reconnects forever. */
const STARTUP_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 3_000;

export type RedisClient = ReturnType<typeof newClient>;

/** @keyv/redis over the shared client (the sessions); the state port uses the same client (state-redis.ts). */
export class RedisStore extends KeyvRedis<string> {
  readonly #own: RedisClient;

  constructor(client: RedisClient, namespace: string) {
    // The cast only bridges generic defaults that exactOptionalPropertyTypes rejects; it is the same client.
    super(client as unknown as RedisClientType, {
      namespace,
      throwOnErrors: true,
      throwOnConnectError: true,
    });
    this.#own = client;
  }

  override async disconnect(): Promise<void> {
    await closeRedis(this.#own);
  }
}

/** Graceful QUIT when connected; while reconnecting a QUIT would wait for a server that is gone. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.isReady) await client.close();
  else if (client.isOpen) client.destroy();
}

/**
 * Connects before returning, so a wrong STORE_URL or a Redis that is down fails startup with one clear line
 * instead of every later call. Commands are not queued while the connection is down (disableOfflineQueue):
 * they reject at once and the caller reports it, rather than hanging a chat until Redis returns.
 */
export async function openRedis(url: string, logger: Logger): Promise<RedisClient> {
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
  return client;
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
