import Keyv from 'keyv';
import type { Logger, Secrets } from '../secrets.ts';
import { StoreError } from './errors.ts';
import { describeRedisUrl, openRedis } from './redis.ts';
import { SqliteStore } from './sqlite.ts';

export { StoreError, type StoreErrorCode } from './errors.ts';
export { addToIndex, readIndex, removeFromIndex } from './index-list.ts';
export { firstTime } from './once.ts';

export interface StoreOptions {
  logger: Logger;
  /** Keeps bots (and test runs) sharing one file or Redis apart; `nemo` by default. */
  namespace?: string;
  /** When given, a Redis password in the URL is registered so no log line shows it. */
  secrets?: Secrets;
}

const DEFAULT_NAMESPACE = 'nemo';

/**
 * Opens the Keyv store STORE_URL names: `sqlite://<path>` (a file, parent directories created),
 * `memory://` (lost on exit), `redis://…` or `rediss://…`. Resolves once the backend is usable; a Redis
 * that cannot be reached or a file that cannot be opened rejects with a StoreError.
 * Operations reject when the backend fails (Keyv's throwOnErrors), never read a failure as "absent".
 */
export async function createStore(url: string, opts: StoreOptions): Promise<Keyv> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const logger = opts.logger.child({ mod: 'store' });
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  switch (scheme) {
    case 'memory':
      return new Keyv({ namespace, throwOnErrors: true });
    case 'sqlite': {
      const path = url.slice('sqlite://'.length);
      if (!path)
        throw new StoreError(
          'store_bad_url',
          'STORE_URL sqlite:// needs a file path, e.g. sqlite://./data/bot.sqlite',
        );
      const store = new SqliteStore({ path, logger });
      logger.info({ file: store.opts.url.slice('sqlite://'.length), namespace }, 'store: sqlite');
      return new Keyv({ store, namespace, throwOnErrors: true });
    }
    case 'redis':
    case 'rediss': {
      for (const p of redisPasswords(url)) opts.secrets?.add(p);
      const store = await openRedis(url, namespace, logger);
      logger.info({ redis: describeRedisUrl(url), namespace }, 'store: redis');
      // @keyv/redis prefixes keys itself (`<namespace>::key`), as its own createKeyv sets up.
      return new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true });
    }
    default:
      throw new StoreError(
        'store_bad_url',
        'STORE_URL must start with sqlite://, redis://, rediss:// or memory://',
      );
  }
}

/** Closes the file or the Redis connection so the process can exit; safe to call twice. */
export async function closeStore(store: Keyv): Promise<void> {
  await store.disconnect();
}

function redisPasswords(url: string): string[] {
  try {
    const u = new URL(url);
    return u.password ? [u.password, decodeURIComponent(u.password)] : [];
  } catch {
    return [];
  }
}
