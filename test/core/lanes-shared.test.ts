import { createClient } from '@keyv/redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Instance } from '../../src/core/instance.ts';
import { stopReason } from '../../src/core/lanes.ts';
import { SharedLanes } from '../../src/core/lanes-shared.ts';
import { createStore, MemoryState, type StatePort } from '../../src/store/index.ts';
import { silentLogger, uniqueNamespace } from '../store/contract.ts';
import { gate, lanesContract, until } from './lanes-contract.ts';

// Lanes of several instances on one store (src/core/lanes-shared.ts): the Lanes contract, then what only
// several instances can show: order, queue limit and cancel across instances, and a gone or stalled instance.
// On the memory store (two "instances" in this process) and on the real Redis when it is reachable.

const LEASE_MS = 300;
const POLL_MS = 20;

interface Backend {
  name: string;
  /** Two connections to one store (the same object for memory). */
  open(): Promise<{ a: StatePort; b: StatePort; close(): Promise<void> }>;
}

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespaces: string[] = [];
let redisDown: string | undefined;
try {
  const probe = await createStore(url, { logger: silentLogger, namespace: uniqueNamespace('probe') });
  await probe.close();
} catch (e) {
  redisDown = e instanceof Error ? e.message : String(e);
}
afterAll(async () => {
  if (redisDown !== undefined || namespaces.length === 0) return;
  const client = createClient({ url });
  await client.connect();
  for (const ns of namespaces)
    for await (const keys of client.scanIterator({ MATCH: `${ns}:*`, COUNT: 500 }))
      if (keys.length > 0) await client.del(keys);
  await client.close();
});

const backends: Backend[] = [
  {
    name: 'memory',
    async open() {
      const s = new MemoryState();
      return { a: s, b: s, close: async () => s.close() };
    },
  },
];
if (redisDown === undefined)
  backends.push({
    name: 'redis',
    async open() {
      const ns = uniqueNamespace('lanes');
      namespaces.push(ns);
      const [x, y] = [
        await createStore(url, { logger: silentLogger, namespace: ns }),
        await createStore(url, { logger: silentLogger, namespace: ns }),
      ];
      return { a: x.state, b: y.state, close: async () => void (await Promise.all([x.close(), y.close()])) };
    },
  });
else if (process.env.CI === 'true') throw new Error(`Redis is required in CI: ${redisDown}`);

/** One instance with its lanes on `state`. */
async function node(state: StatePort, errors: unknown[] = []) {
  const instance = new Instance({ state, shared: true, leaseMs: LEASE_MS, logger: silentLogger });
  await instance.start();
  const lanes = new SharedLanes({
    state,
    instance,
    now: Date.now,
    pollMs: POLL_MS,
    logger: silentLogger,
    onError: (_a, e) => errors.push(e),
  });
  return {
    instance,
    lanes,
    async close() {
      lanes.abortAll('shutdown');
      await lanes.close();
      await instance.stop();
    },
  };
}

/** A view of a store whose calls can be held, as a process stalled in a long pause would make none. */
function freezable(state: StatePort) {
  let frozen: ReturnType<typeof gate> | undefined;
  const view = new Proxy(state, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        while (frozen) await frozen.p;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    view,
    freeze: () => {
      frozen = gate();
    },
    thaw: () => {
      const g = frozen;
      frozen = undefined;
      g?.open();
    },
  };
}

let seq = 0;
const chat = () => `test:shared-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

for (const backend of backends) {
  lanesContract({
    name: `several instances (SharedLanes), ${backend.name}`,
    async make(errors) {
      const store = await backend.open();
      const one = await node(store.a, errors);
      return {
        lanes: one.lanes,
        async close() {
          await one.close();
          await store.close();
        },
      };
    },
  });

  describe(`shared lanes across instances: ${backend.name}`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });
    async function two() {
      const store = await backend.open();
      const [x, y] = [await node(store.a), await node(store.b)];
      cleanup.push(store.close, x.close, y.close);
      return { store, x, y };
    }

    it('serializes a chat across instances, in order, with places counted over both', async () => {
      const { x, y } = await two();
      const c = chat();
      let open = 0;
      let most = 0;
      const order: string[] = [];
      const task = (name: string) => async () => {
        open++;
        most = Math.max(most, open);
        order.push(name);
        await new Promise((r) => setTimeout(r, 30));
        open--;
      };
      const q1 = await x.lanes.enqueue(c, 'turn', 3, task('x1'));
      const q2 = await y.lanes.enqueue(c, 'turn', 3, task('y1'));
      const q3 = await x.lanes.enqueue(c, 'export', 3, task('x2'));
      expect([q1, q2, q3].map((q) => q.state === 'accepted' && q.ahead)).toEqual([0, 1, 2]);
      expect(await y.lanes.hasExport(c)).toBe(true);
      expect((await y.lanes.enqueue(c, 'turn', 2, task('refused'))).state).toBe('full');
      for (const q of [q1, q2, q3]) if (q.state === 'accepted') expect(await q.done).toBe('ran');
      expect(order).toEqual(['x1', 'y1', 'x2']);
      expect(most).toBe(1);
      expect(await x.lanes.busy(c)).toBe(false);
    });

    it('cancel on one instance stops the runner on the other and drops every waiting entry', async () => {
      const { x, y } = await two();
      const c = chat();
      let seen: string | undefined;
      let started = false;
      const running = await x.lanes.enqueue(c, 'turn', 3, (signal) => {
        started = true;
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            seen = stopReason(signal);
            resolve();
          });
        });
      });
      const waitX = await x.lanes.enqueue(c, 'turn', 3, async () => {
        throw new Error('must not run');
      });
      const waitY = await y.lanes.enqueue(c, 'turn', 3, async () => {
        throw new Error('must not run');
      });
      await until(() => started);
      expect((await y.lanes.current(c))?.kind).toBe('turn');
      expect(await y.lanes.cancel(c)).toEqual({ running: 'turn', dropped: 2 });
      for (const q of [waitX, waitY]) if (q.state === 'accepted') expect(await q.done).toBe('dropped');
      if (running.state === 'accepted') expect(await running.done).toBe('ran');
      expect(seen).toBe('cancel');
      expect(await x.lanes.busy(c)).toBe(false);
    });

    it('a gone instance’s entries are removed and its chat lane taken over', async () => {
      const { x, y } = await two();
      const c = chat();
      let started = false;
      await x.lanes.enqueue(c, 'turn', 3, async () => {
        started = true;
        await new Promise<void>(() => {}); // the process dies mid-task
      });
      const ran: string[] = [];
      await x.lanes.enqueue(c, 'turn', 3, async () => void ran.push('x'));
      await until(() => started);
      const q = await y.lanes.enqueue(c, 'turn', 3, async () => void ran.push('y'));
      expect(q.state === 'accepted' && q.ahead).toBe(2);
      x.instance.halt();
      if (q.state === 'accepted') expect(await q.done).toBe('ran');
      expect(ran).toEqual(['y']); // x's waiting task died with x: its entry is gone, not run elsewhere
      expect(await y.lanes.busy(c)).toBe(false);
    });

    it('a stalled runner that lost its lane is stopped, and the survivor runs alone', async () => {
      const store = await backend.open();
      const slow = freezable(store.a);
      const [x, y] = [await node(slow.view), await node(store.b)];
      cleanup.push(store.close, x.close, y.close, async () => slow.thaw());
      const c = chat();
      let open = 0;
      let most = 0;
      let xWhy: string | undefined;
      const started = gate();
      const yStarted = gate();
      await x.lanes.enqueue(c, 'turn', 3, (signal) => {
        open++;
        started.open();
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            xWhy = stopReason(signal);
            open--;
            resolve();
          });
        });
      });
      await started.p;
      slow.freeze(); // x makes no store call: no heartbeat, no renewal
      const q = await y.lanes.enqueue(c, 'turn', 3, async () => {
        most = Math.max(most, ++open);
        yStarted.open();
        await until(() => xWhy !== undefined);
        open--;
      });
      await yStarted.p; // x's heartbeat lapsed: y took the lane
      slow.thaw(); // x wakes up: its next renewal finds the lane gone and stops its task
      if (q.state === 'accepted') expect(await q.done).toBe('ran');
      expect(xWhy).toBe('shutdown');
      expect(most).toBe(2); // both were "open" only while x could not reach the store: x was stopped
    });
  });
}
