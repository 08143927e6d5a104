import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, describe, it } from 'vitest';
import { createStore } from '../../src/store/index.ts';
import { silentLogger, uniqueNamespace } from './contract.ts';
import { counterContract } from './counter-contract.ts';

// The counters' contract on memory, a SQLite file and Redis (TEST_REDIS_URL; required when CI=true).

counterContract({
  name: 'memory',
  open: (namespace) => createStore('memory://', { logger: silentLogger, namespace }),
  shared: false,
  uniqueNamespace,
});

const dir = mkdtempSync(join(tmpdir(), 'nemo-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'counters.sqlite');
counterContract({
  name: 'sqlite',
  open: (namespace) => createStore(`sqlite://${file}`, { logger: silentLogger, namespace }),
  shared: true,
  uniqueNamespace,
  // No cross-process case: a SQLite file serves one live process (several instances need Redis).
});

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespaces = new Set<string>();
const tracked = (tag: string) => {
  const ns = uniqueNamespace(tag);
  namespaces.add(ns);
  return ns;
};
let unreachable: string | undefined;
try {
  const probe = await createStore(url, { logger: silentLogger, namespace: tracked('probe') });
  await probe.close();
} catch (err) {
  unreachable = err instanceof Error ? err.message : String(err);
}

if (unreachable === undefined) {
  counterContract({
    name: 'redis',
    open: (namespace) => createStore(url, { logger: silentLogger, namespace }),
    shared: true,
    uniqueNamespace: tracked,
    url,
  });
  afterAll(async () => {
    const client = createClient({ url });
    await client.connect();
    try {
      for (const ns of namespaces)
        for await (const keys of client.scanIterator({ MATCH: `${ns}:*`, COUNT: 500 }))
          if (keys.length > 0) await client.del(keys);
    } finally {
      await client.close();
    }
  });
} else if (process.env.CI === 'true') {
  describe('state port counters: redis', () => {
    it('Redis must be reachable when CI=true', () => {
      throw new Error(`Redis is required in CI: ${unreachable}`);
    });
  });
} else {
  describe.skip(`state port counters: redis (SKIPPED, unreachable: ${unreachable})`, () => {
    it('needs Redis', () => {});
  });
}
