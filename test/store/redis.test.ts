import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { Secrets } from '../../src/secrets.ts';
import { createStore, StoreError } from '../../src/store/index.ts';
import { silentLogger, storeContract, uniqueNamespace } from './contract.ts';
import { crossProcessContract } from './state-contract.ts';

// Redis is optional on a laptop and required in CI: unreachable means skip locally, fail when CI=true.
const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespaces = new Set<string>();
const open = (namespace: string) => {
  namespaces.add(namespace);
  return createStore(url, { logger: silentLogger, namespace });
};

let unreachable: string | undefined;
try {
  const probe = await open(uniqueNamespace('probe'));
  await probe.close();
} catch (err) {
  unreachable = err instanceof Error ? err.message : String(err);
}

// Sets, leases and fencing counters have no ttl: delete every key of this run's namespaces (and only those).
afterAll(async () => {
  if (unreachable !== undefined) return;
  const client = createClient({ url });
  await client.connect();
  try {
    for (const ns of namespaces) {
      for await (const keys of client.scanIterator({ MATCH: `${ns}:*`, COUNT: 500 }))
        if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
});

if (unreachable === undefined) {
  storeContract({ name: 'redis', open, shared: true });
  // Tracked here too: a child process writes to a namespace this process may never open.
  const tracked = (tag: string) => {
    const ns = uniqueNamespace(tag);
    namespaces.add(ns);
    return ns;
  };
  crossProcessContract({ name: 'redis', open, shared: true, uniqueNamespace: tracked, url });
} else if (process.env.CI === 'true') {
  describe('store contract: redis', () => {
    it('Redis must be reachable when CI=true', () => {
      throw new Error(`Redis is required in CI: ${unreachable}`);
    });
  });
} else {
  console.warn(`\n⚠ SKIPPING Redis store contract tests: ${unreachable}\n`);
  describe.skip(`store contract: redis (SKIPPED, unreachable: ${unreachable})`, () => {
    it('needs Redis at 127.0.0.1:6379 (or TEST_REDIS_URL)', () => {});
  });
}

describe('redis store startup', () => {
  it('an unreachable Redis fails fast with store_unreachable and no password in the message', async () => {
    const secrets = new Secrets();
    const err = await createStore('redis://:hunter2-very-secret@127.0.0.1:1', {
      logger: silentLogger,
      secrets,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'store_unreachable' });
    const message = (err as Error).message;
    expect(message).toContain('redis://127.0.0.1:1');
    expect(message).not.toContain('hunter2');
    expect(secrets.has('hunter2-very-secret')).toBe(true);
  });
});
