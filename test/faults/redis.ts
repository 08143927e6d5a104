import { createClient } from '@keyv/redis';

// The Redis store of the fault scenarios. The bot has no namespace setting (it always uses `nemo`), and a
// fake Telegram numbers its updates from 1000 in every scenario, so the bot's keys are wiped before each
// scenario: give the suite a database of its own (FAULTS_REDIS_URL, else TEST_REDIS_URL, e.g.
// redis://127.0.0.1:6379/12). Scenarios on Redis run one at a time (one test file).

export type StoreKind = 'sqlite' | 'redis';

/** The bot's Keyv namespace on Redis (src/store: `nemo::<key>`). */
const PATTERNS = ['nemo:*', 'namespace:nemo*'];

export function redisUrl(): string | undefined {
  const url = process.env.FAULTS_REDIS_URL ?? process.env.TEST_REDIS_URL;
  return url?.trim() ? url.trim() : undefined;
}

/** Why the Redis scenarios cannot run here, or undefined when they can. */
export async function redisUnavailable(): Promise<string | undefined> {
  const url = redisUrl();
  if (!url) return 'set FAULTS_REDIS_URL or TEST_REDIS_URL to a database the suite may wipe';
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (e) {
    return `Redis at ${new URL(url).host} unreachable: ${(e as Error).message}`;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Deletes the bot's keys; returns the URL for STORE_URL. */
export async function cleanRedis(): Promise<string> {
  const url = redisUrl();
  if (!url) throw new Error('no Redis URL for the fault suite (FAULTS_REDIS_URL or TEST_REDIS_URL)');
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    for (const match of PATTERNS) {
      for await (const keys of client.scanIterator({ MATCH: match, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys);
      }
    }
  } finally {
    client.destroy();
  }
  return url;
}
