import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Lanes, Stop, stopReason } from '../../src/core/lanes.ts';

// What every Lanes implementation does (src/core/lanes.ts): run for LocalLanes (one process) and SharedLanes
// (several instances on a store) alike. Shared lanes start tasks asynchronously, so tests wait for effects.

export interface LanesTarget {
  name: string;
  /** Fresh lanes; `errors` collects what tasks threw. */
  make(errors: unknown[]): Promise<{ lanes: Lanes; close(): Promise<void> }>;
}

export function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

export async function until(pred: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let n = 0;
/** A chat address of its own per test: shared lanes on one store never meet earlier tests' entries. */
const chat = (tag: string) => `test:${tag}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

export function lanesContract(target: LanesTarget): void {
  describe(`lanes contract: ${target.name}`, () => {
    let lanes: Lanes;
    let errors: unknown[];
    let close: () => Promise<void>;
    beforeEach(async () => {
      errors = [];
      ({ lanes, close } = await target.make(errors));
    });
    afterEach(async () => {
      lanes.abortAll('shutdown');
      await close();
    });

    it('runs one task at a time per chat, FIFO, and tells the place in the queue', async () => {
      const [c, d] = [chat('c'), chat('d')];
      const order: string[] = [];
      const g = gate();
      const a = await lanes.enqueue(c, 'turn', 3, async () => {
        order.push('a');
        await g.p;
      });
      const b = await lanes.enqueue(c, 'turn', 3, async () => {
        order.push('b');
      });
      const x = await lanes.enqueue(c, 'export', 3, async () => {
        order.push('c');
      });
      const other = await lanes.enqueue(d, 'turn', 3, async () => {
        order.push('other chat');
      });
      expect([a, b, x, other].map((q) => q.state === 'accepted' && q.ahead)).toEqual([0, 1, 2, 0]);
      await until(() => order.length === 2);
      expect([...order].sort()).toEqual(['a', 'other chat']);
      expect(await lanes.hasExport(c)).toBe(true);
      expect(await lanes.busy(c)).toBe(true);
      expect((await lanes.current(c))?.kind).toBe('turn');
      g.open();
      if (x.state === 'accepted') expect(await x.done).toBe('ran');
      expect(order.slice(2)).toEqual(['b', 'c']);
      expect(await lanes.busy(c)).toBe(false);
      expect(await lanes.hasExport(c)).toBe(false);
      expect(await lanes.current(c)).toBeUndefined();
    });

    it('refuses past the queue limit', async () => {
      const c = chat('full');
      const never = () => new Promise<void>(() => {});
      expect((await lanes.enqueue(c, 'turn', 1, never)).state).toBe('accepted');
      expect((await lanes.enqueue(c, 'turn', 1, never)).state).toBe('accepted');
      expect((await lanes.enqueue(c, 'turn', 1, never)).state).toBe('full');
      expect((await lanes.enqueue(c, 'export', Number.POSITIVE_INFINITY, never)).state).toBe('accepted');
      await lanes.cancel(c);
    });

    it('cancel aborts the running task with a reason and drops the waiting ones', async () => {
      const c = chat('cancel');
      let seen: string | undefined;
      let started = false;
      const running = await lanes.enqueue(c, 'turn', 3, (signal) => {
        started = true;
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            seen = stopReason(signal);
            resolve();
          });
        });
      });
      const waiting = await lanes.enqueue(c, 'turn', 3, async () => {
        throw new Error('must not run');
      });
      await until(() => started);
      expect(await lanes.cancel(c)).toEqual({ running: 'turn', dropped: 1 });
      if (waiting.state === 'accepted') expect(await waiting.done).toBe('dropped');
      if (running.state === 'accepted') expect(await running.done).toBe('ran');
      expect(seen).toBe('cancel');
      expect(await lanes.cancel(c)).toEqual({ dropped: 0 });
      expect(errors).toEqual([]);
    });

    it('reports task failures and goes on', async () => {
      const c = chat('fail');
      await lanes.enqueue(c, 'turn', 3, async () => {
        throw new Stop('stuck');
      });
      const next = await lanes.enqueue(c, 'turn', 3, async () => {});
      if (next.state === 'accepted') expect(await next.done).toBe('ran');
      expect(errors).toHaveLength(1);
    });

    it('markExport counts an export running inside a turn', async () => {
      const c = chat('mark');
      let started = false;
      const g = gate();
      await lanes.enqueue(c, 'turn', 3, async () => {
        started = true;
        await g.p;
      });
      await until(() => started);
      expect(await lanes.hasExport(c)).toBe(false);
      const done = await lanes.markExport(c);
      expect(await lanes.hasExport(c)).toBe(true);
      await done();
      await done();
      expect(await lanes.hasExport(c)).toBe(false);
      g.open();
    });

    it('whenIdle runs only while no task runs in the chat', async () => {
      const c = chat('idle');
      const g = gate();
      let started = false;
      const q = await lanes.enqueue(c, 'turn', 3, async () => {
        started = true;
        await g.p;
      });
      await until(() => started);
      let ran = 0;
      expect(await lanes.whenIdle(c, async () => void ran++)).toBe(false);
      g.open();
      if (q.state === 'accepted') await q.done;
      expect(await lanes.whenIdle(c, async () => void ran++)).toBe(true);
      expect(ran).toBe(1);
    });

    it('abortAll stops running tasks with the reason and drops waiting ones', async () => {
      const c = chat('abort');
      let seen: string | undefined;
      let started = false;
      const running = await lanes.enqueue(c, 'turn', 3, (signal) => {
        started = true;
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            seen = stopReason(signal);
            resolve();
          });
        });
      });
      const waiting = await lanes.enqueue(c, 'export', 3, async () => {
        throw new Error('must not run');
      });
      await until(() => started);
      lanes.abortAll('shutdown');
      if (waiting.state === 'accepted') expect(await waiting.done).toBe('dropped');
      if (running.state === 'accepted') expect(await running.done).toBe('ran');
      expect(seen).toBe('shutdown');
    });
  });
}
