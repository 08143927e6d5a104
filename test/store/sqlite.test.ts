import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeStore, createStore, StoreError } from '../../src/store/index.ts';
import { firstTime } from '../../src/store/once.ts';
import { silentLogger, storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nemo-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'contract.sqlite');
storeContract({
  name: 'sqlite',
  open: (namespace) => createStore(`sqlite://${file}`, { logger: silentLogger, namespace }),
});

describe('sqlite store', () => {
  const open = (path: string, namespace = 'nemo') =>
    createStore(`sqlite://${path}`, { logger: silentLogger, namespace });

  it('creates the parent directories and keeps values across close and reopen', async () => {
    const path = join(dir, 'nested', 'deeper', 'bot.sqlite');
    const a = await open(path);
    await a.set('session:tg:42', { sessionId: 's-1', lang: 'zh', note: '你好' });
    await a.set('brief', 'gone soon', 20);
    expect(await firstTime(a, 'update:5', 60_000)).toBe(true);
    await closeStore(a);
    await closeStore(a); // twice is harmless

    const b = await open(path);
    try {
      expect(await b.get('session:tg:42')).toEqual({ sessionId: 's-1', lang: 'zh', note: '你好' });
      expect(await firstTime(b, 'update:5', 60_000)).toBe(false);
      await new Promise((r) => setTimeout(r, 40));
      expect(await b.get('brief')).toBeUndefined();
    } finally {
      await closeStore(b);
    }
  });

  it('two stores on one file (two connections) see each other and stay atomic', async () => {
    const path = join(dir, 'shared.sqlite');
    const [a, b] = [await open(path), await open(path)];
    try {
      await a.set('x', 1);
      expect(await b.get('x')).toBe(1);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => firstTime(i % 2 ? a : b, 'post:job-1', 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await closeStore(a);
      await closeStore(b);
    }
  });

  it('an operation after close rejects with store_closed', async () => {
    const s = await open(join(dir, 'closed.sqlite'));
    await closeStore(s);
    await expect(s.get('x')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(s.set('x', 1)).rejects.toBeInstanceOf(StoreError);
  });

  it('removes a stale lock directory left by a killed process', async () => {
    const path = join(dir, 'stale.sqlite');
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    const s = await open(path);
    try {
      await s.set('k', 'v');
      expect(await s.get('k')).toBe('v');
    } finally {
      await closeStore(s);
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
