import { describe, expect, it } from 'vitest';
import { Lanes, Stop, stopReason } from '../../src/core/lanes.ts';

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

describe('Lanes', () => {
  it('runs one task at a time per chat, FIFO, and tells the place in the queue', async () => {
    const lanes = new Lanes(Date.now, () => {});
    const order: string[] = [];
    const g = gate();
    const a = lanes.enqueue('c', 'turn', 3, async () => {
      order.push('a');
      await g.p;
    });
    const b = lanes.enqueue('c', 'turn', 3, async () => {
      order.push('b');
    });
    const c = lanes.enqueue('c', 'export', 3, async () => {
      order.push('c');
    });
    const other = lanes.enqueue('d', 'turn', 3, async () => {
      order.push('other chat');
    });
    expect([a, b, c, other].map((q) => q.state === 'accepted' && q.ahead)).toEqual([0, 1, 2, 0]);
    expect(order).toEqual(['a', 'other chat']);
    expect(lanes.hasExport('c')).toBe(true);
    g.open();
    if (c.state === 'accepted') await c.done;
    expect(order).toEqual(['a', 'other chat', 'b', 'c']);
    expect(lanes.busy('c')).toBe(false);
  });

  it('refuses past the queue limit', () => {
    const lanes = new Lanes(Date.now, () => {});
    const never = () => new Promise<void>(() => {});
    lanes.enqueue('c', 'turn', 1, never);
    expect(lanes.enqueue('c', 'turn', 1, never).state).toBe('accepted');
    expect(lanes.enqueue('c', 'turn', 1, never).state).toBe('full');
  });

  it('cancel aborts the running task with a reason and drops the waiting ones', async () => {
    const lanes = new Lanes(Date.now, () => {});
    let seen: string | undefined;
    const running = lanes.enqueue('c', 'turn', 3, (signal) => {
      return new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          seen = stopReason(signal);
          resolve();
        });
      });
    });
    const waiting = lanes.enqueue('c', 'turn', 3, async () => {
      throw new Error('must not run');
    });
    expect(lanes.cancel('c')).toEqual({ running: 'turn', dropped: 1 });
    if (waiting.state === 'accepted') expect(await waiting.done).toBe('dropped');
    if (running.state === 'accepted') expect(await running.done).toBe('ran');
    expect(seen).toBe('cancel');
    expect(lanes.cancel('c')).toEqual({ dropped: 0 });
  });

  it('reports task failures and goes on', async () => {
    const errors: unknown[] = [];
    const lanes = new Lanes(Date.now, (_a, e) => errors.push(e));
    lanes.enqueue('c', 'turn', 3, async () => {
      throw new Stop('stuck');
    });
    const next = lanes.enqueue('c', 'turn', 3, async () => {});
    if (next.state === 'accepted') await next.done;
    expect(errors).toHaveLength(1);
  });

  it('markExport counts an export running inside a turn', () => {
    const lanes = new Lanes(Date.now, () => {});
    lanes.enqueue('c', 'turn', 3, () => new Promise<void>(() => {}));
    expect(lanes.hasExport('c')).toBe(false);
    const done = lanes.markExport('c');
    expect(lanes.hasExport('c')).toBe(true);
    done();
    done();
    expect(lanes.hasExport('c')).toBe(false);
  });
});
