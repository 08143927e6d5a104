import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatePort, Store } from '../../src/store/index.ts';

// The state port's counters (reserve / counter), run against every backend by counters.test.ts.

export interface CounterTarget {
  name: string;
  open(namespace: string): Promise<Store>;
  /** Two stores opened with one namespace see the same data (a file, a server); memory:// does not. */
  shared: boolean;
  uniqueNamespace(tag: string): string;
  /** STORE_URL for child processes; absent: no cross-process test (memory). */
  url?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function counterContract(target: CounterTarget): void {
  describe(`state port counters: ${target.name}`, () => {
    const opened: Store[] = [];
    let state: StatePort;
    let second: StatePort;
    let n = 0;
    const k = (name: string) => `${name}-${++n}`;

    beforeAll(async () => {
      const ns = target.uniqueNamespace(`${target.name}-counters`);
      const a = await target.open(ns);
      opened.push(a);
      state = a.state;
      const b = target.shared ? await target.open(ns) : a;
      if (b !== a) opened.push(b);
      second = b.state;
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('reserve adds within the limit, refuses past it without changing the count', async () => {
      const key = k('quota');
      expect(await state.counter(key)).toBe(0);
      expect(await state.reserve(key, 2, 3, 60_000)).toEqual({ ok: true, used: 2 });
      expect(await second.reserve(key, 2, 3, 60_000)).toEqual({ ok: false, used: 2 });
      expect(await second.reserve(key, 1, 3, 60_000)).toEqual({ ok: true, used: 3 });
      expect(await state.reserve(key, 1, 3, 60_000)).toEqual({ ok: false, used: 3 });
      expect(await state.counter(key)).toBe(3);
      // A fresh counter refuses an amount larger than the limit by itself.
      expect(await state.reserve(k('big'), 5, 4, 60_000)).toEqual({ ok: false, used: 0 });
      expect(await state.counter(k('never'))).toBe(0);
    });

    it('no limit: a plain atomic counter; giving back always applies and never goes below 0', async () => {
      const key = k('free');
      expect(await state.reserve(key, 5, null, 60_000)).toEqual({ ok: true, used: 5 });
      expect(await state.reserve(key, 7, null, 60_000)).toEqual({ ok: true, used: 12 });
      // Over a limit lowered since: a release still applies.
      expect(await state.reserve(key, -2, 1, 60_000)).toEqual({ ok: true, used: 10 });
      expect(await second.reserve(key, -50, null, 60_000)).toEqual({ ok: true, used: 0 });
      expect(await state.reserve(key, 0, 0, 60_000)).toEqual({ ok: true, used: 0 });
    });

    it('counters expire after their ttl; a write renews the ttl', async () => {
      const [short, renewed] = [k('short'), k('renewed')];
      await state.reserve(short, 4, null, 1_000);
      await state.reserve(renewed, 1, null, 1_000);
      await state.reserve(renewed, 1, null, 60_000);
      expect(await second.counter(short)).toBe(4);
      await sleep(1_300);
      expect(await state.counter(short)).toBe(0);
      expect(await state.reserve(short, 1, 1, 60_000)).toEqual({ ok: true, used: 1 });
      expect(await state.counter(renewed)).toBe(2);
    });

    it('counters are a key space of their own', async () => {
      const key = k('space');
      await state.set(key, 'a value');
      await state.addMember(key, 'm');
      expect(await state.reserve(key, 1, null, 60_000)).toEqual({ ok: true, used: 1 });
      expect(await state.get(key)).toBe('a value');
      expect(await state.members(key)).toEqual(['m']);
    });

    it('bad amounts, limits and ttls are refused', async () => {
      await expect(state.reserve(k('x'), 1.5, null, 1000)).rejects.toBeInstanceOf(RangeError);
      await expect(state.reserve(k('x'), 1, 2.5, 1000)).rejects.toBeInstanceOf(RangeError);
      await expect(state.reserve(k('x'), 1, null, 0)).rejects.toBeInstanceOf(RangeError);
    });

    it('20 concurrent reservations over two connections with 1 unit left: exactly 1 passes', async () => {
      const key = k('last-unit');
      await state.reserve(key, 4, 5, 60_000);
      const results = await Promise.all(
        range(20).map((i) => (i % 2 ? state : second).reserve(key, 1, 5, 60_000)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await state.counter(key)).toBe(5);
    });

    it('100 concurrent increments lose nothing', async () => {
      const key = k('many');
      await Promise.all(range(100).map((i) => (i % 2 ? second : state).reserve(key, 1, null, 60_000)));
      expect(await state.counter(key)).toBe(100);
    });
  });

  if (target.url) {
    const url = target.url;
    describe(`state port counters across processes: ${target.name}`, () => {
      it('two processes, 20 reservations each, 3 units left: exactly 3 pass', async () => {
        const namespace = target.uniqueNamespace(`${target.name}-counter-procs`);
        const store = await target.open(namespace);
        try {
          await store.state.reserve('quota', 7, 10, 60_000);
          const kids = [child(url, namespace), child(url, namespace)];
          await Promise.all(kids.map((c) => c.ready));
          for (const c of kids) c.go();
          const [a, b] = await Promise.all(kids.map((c) => c.result()));
          expect((a ?? 0) + (b ?? 0)).toBe(3);
          expect(await store.state.counter('quota')).toBe(10);
        } finally {
          await store.close();
        }
      }, 30_000);
    });
  }
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'counter-child.ts');
const ROOT = path.resolve(path.dirname(CHILD), '../..');

/** A child process that reserves 20 units of `quota` (limit 10) at once when told "go"; prints how many passed. */
function child(url: string, namespace: string) {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, url, namespace], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => proc.once('close', resolve));
  const ready = (async () => {
    while (!out.includes('ready\n')) {
      if (proc.exitCode !== null) throw new Error(`counter child exited early: ${err}`);
      await sleep(10);
    }
  })();
  return {
    ready,
    go: () => proc.stdin?.write('go\n'),
    async result(): Promise<number> {
      const code = await exited;
      if (code !== 0) throw new Error(`counter child exited with ${code}: ${err}`);
      return Number(out.trim().split('\n').at(-1));
    },
  };
}
