import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, StoreError } from '../../src/store/index.ts';
import { silentLogger, storeContract, uniqueNamespace } from './contract.ts';
import { crossProcessContract } from './state-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nemo-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'contract.sqlite');
const openShared = (namespace: string) =>
  createStore(`sqlite://${file}`, { logger: silentLogger, namespace });
storeContract({ name: 'sqlite', open: openShared, shared: true });
crossProcessContract({
  name: 'sqlite',
  open: openShared,
  shared: true,
  uniqueNamespace,
  url: `sqlite://${file}`,
});

describe('sqlite store', () => {
  const open = (path: string, namespace = 'nemo') =>
    createStore(`sqlite://${path}`, { logger: silentLogger, namespace });

  it('creates the parent directories and keeps values across close and reopen', async () => {
    const path = join(dir, 'nested', 'deeper', 'bot.sqlite');
    const a = await open(path);
    await a.keyv.set('session:tg:42', { sessionId: 's-1', lang: 'zh', note: '你好' });
    await a.keyv.set('brief', 'gone soon', 20);
    expect(await a.state.setIfAbsent('update:5', 1, 60_000)).toBe(true);
    await a.state.addMember('jobs', 'job-1');
    const lease = await a.state.acquireLease('job-1', 'first-process', 60_000);
    await a.close();
    await a.close(); // twice is harmless

    const b = await open(path);
    try {
      expect(await b.keyv.get('session:tg:42')).toEqual({ sessionId: 's-1', lang: 'zh', note: '你好' });
      expect(await b.state.setIfAbsent('update:5', 1, 60_000)).toBe(false);
      expect(await b.state.members('jobs')).toEqual(['job-1']);
      expect(await b.state.leaseHolder('job-1')).toEqual({ owner: 'first-process', token: lease?.token });
      await new Promise((r) => setTimeout(r, 40));
      expect(await b.keyv.get('brief')).toBeUndefined();
    } finally {
      await b.close();
    }
  });

  it('two stores on one file (two connections) see each other and stay atomic', async () => {
    const path = join(dir, 'shared.sqlite');
    const [a, b] = [await open(path), await open(path)];
    try {
      await a.keyv.set('x', 1);
      expect(await b.keyv.get('x')).toBe(1);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).state.setIfAbsent('post:job-1', i, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an operation after close rejects with store_closed', async () => {
    const s = await open(join(dir, 'closed.sqlite'));
    await s.close();
    await expect(s.keyv.get('x')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(s.keyv.set('x', 1)).rejects.toBeInstanceOf(StoreError);
    await expect(s.state.setIfAbsent('x', 1, 1000)).rejects.toMatchObject({ code: 'store_closed' });
    await expect(s.state.acquireLease('x', 'me', 1000)).rejects.toMatchObject({ code: 'store_closed' });
  });

  it('removes a stale lock directory left by a killed process', async () => {
    const path = join(dir, 'stale.sqlite');
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    const s = await open(path);
    try {
      await s.keyv.set('k', 'v');
      expect(await s.keyv.get('k')).toBe('v');
    } finally {
      await s.close();
    }
  });

  it('a path that cannot be a file fails with store_open_failed', async () => {
    const path = join(dir, 'is-a-dir');
    mkdirSync(path);
    await expect(open(path)).rejects.toMatchObject({ code: 'store_open_failed' });
  });

  it('rejects an unknown scheme or an empty path with store_bad_url', async () => {
    await expect(createStore('sqlite://', { logger: silentLogger })).rejects.toMatchObject({
      code: 'store_bad_url',
    });
    await expect(createStore('postgres://db/x', { logger: silentLogger })).rejects.toMatchObject({
      code: 'store_bad_url',
    });
  });
});
