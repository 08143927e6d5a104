import Keyv from 'keyv';
import type { Logger, Secrets } from '../secrets.ts';
import { StoreError } from './errors.ts';
import { closeRedis, describeRedisUrl, openRedis, RedisStore } from './redis.ts';
import { SqliteStore } from './sqlite.ts';
import { openSqlite } from './sqlite-file.ts';
import type { StatePort } from './state.ts';
import { MemoryState } from './state-memory.ts';
import { RedisState } from './state-redis.ts';
import { SqliteState } from './state-sqlite.ts';

export { StoreError, type StoreErrorCode } from './errors.ts';
export type { Lease, LeaseHolder, StatePort } from './state.ts';
export { MemoryState } from './state-memory.ts';

export interface StoreOptions {
  logger: Logger;
  /** Keeps bots (and test runs) sharing one file or Redis apart; `nemo` by default. */
  namespace?: string;
  /** When given, a Redis password in the URL is registered so no log line shows it. */
  secrets?: Secrets;
}

/** One backend connection, seen two ways. */
export interface Store {
  /** Chat sessions (src/core/sessions.ts): plain values, fine behind Keyv. */
  keyv: Keyv;
  /** Everything that must be atomic (dedupe, job indexes, leases): see state.ts. */
  state: StatePort;
  /** Several processes may use it at once (Redis): instances must then coordinate (src/core/instance.ts). */
  shared: boolean;
  /** Closes the one connection (file or Redis client) both use; safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_NAMESPACE = 'nemo';

/**
 * Opens the store STORE_URL names: `sqlite://<path>` (a file, parent directories created),
 * `memory://` (lost on exit), `redis://…` or `rediss://…`. Resolves once the backend is usable; a Redis
 * that cannot be reached, a file that cannot be opened or one another process holds rejects with a StoreError.
 * Operations reject when the backend fails (Keyv's throwOnErrors), never read a failure as "absent".
 */
export async function createStore(url: string, opts: StoreOptions): Promise<Store> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const logger = opts.logger.child({ mod: 'store' });
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  switch (scheme) {
    case 'memory': {
      const state = new MemoryState();
      const keyv = new Keyv({ namespace, throwOnErrors: true });
      return { keyv, state, shared: false, close: async () => state.close() };
    }
    case 'sqlite': {
      const path = url.slice('sqlite://'.length);
      if (!path)
        throw new StoreError(
          'store_bad_url',
          'STORE_URL sqlite:// needs a file path, e.g. sqlite://./data/bot.sqlite',
        );
      // One process per file: a second one is refused here with store_in_use (sqlite-file.ts).
      const handle = await openSqlite(path, logger);
      const { file } = handle;
      try {
        const keyv = new Keyv({ store: new SqliteStore({ handle }), namespace, throwOnErrors: true });
        const state = new SqliteState({ handle, namespace });
        logger.info({ file, namespace }, 'store: sqlite');
        return { keyv, state, shared: false, close: async () => handle.close() };
      } catch (err) {
        handle.close();
        if (err instanceof StoreError) throw err;
        throw new StoreError('store_open_failed', `cannot use SQLite store ${file}: ${errText(err)}`, {
          cause: err,
        });
      }
    }
    case 'redis':
    case 'rediss': {
      for (const p of redisPasswords(url)) opts.secrets?.add(p);
      const client = await openRedis(url, logger);
      logger.info({ redis: describeRedisUrl(url), namespace }, 'store: redis');
      // @keyv/redis prefixes keys itself (`<namespace>::key`), as its own createKeyv sets up.
      const store = new RedisStore(client, namespace);
      const keyv = new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true });
      const state = new RedisState(client, namespace);
      const close = async () => {
        await state.close();
        await closeRedis(client);
      };
      return { keyv, state, shared: true, close };
    }
    default:
      throw new StoreError(
        'store_bad_url',
        'STORE_URL must start with sqlite://, redis://, rediss:// or memory://',
      );
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function redisPasswords(url: string): string[] {
  try {
    const u = new URL(url);
    return u.password ? [u.password, decodeURIComponent(u.password)] : [];
  } catch {
    return [];
  }
}
