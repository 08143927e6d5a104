import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/core/instance.ts';
import { LocalLanes } from '../../src/core/lanes.ts';
import { SharedLanes } from '../../src/core/lanes-shared.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState } from '../../src/store/index.ts';

// The queue-depth hook point: the lanes tell how many prompts wait in a chat whenever that changes, and
// /metrics sums them per platform without naming a chat.

describe('queue depth from the lanes', () => {
  it('reports every change: queued, started, dropped', async () => {
    const depths: Array<[string, number]> = [];
    const lanes = new LocalLanes(
      Date.now,
      () => {},
      (address, n) => depths.push([address, n]),
    );
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((r) => gates.push(r));
    await lanes.enqueue('tg:1', 'turn', 3, task);
    await lanes.enqueue('tg:1', 'turn', 3, task);
    await lanes.enqueue('tg:1', 'turn', 3, task);
    expect(depths).toEqual([
      ['tg:1', 1],
      ['tg:1', 2],
    ]);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(depths.at(-1)).toEqual(['tg:1', 1]);
    await lanes.cancel('tg:1');
    expect(depths.at(-1)).toEqual(['tg:1', 0]);
    for (const g of gates) g();
  });

  it('the shared lanes report the waiting tasks of their instance: queued, started, dropped', async () => {
    const logger = createLogger({ level: 'silent', secrets: new Secrets() });
    const state = new MemoryState();
    const instance = new Instance({ state, shared: true, leaseMs: 3_000, logger });
    await instance.start();
    const depths: Array<[string, number]> = [];
    const lanes = new SharedLanes({
      state,
      instance,
      now: Date.now,
      pollMs: 10,
      logger,
      onError: () => {},
      onDepth: (address, n) => depths.push([address, n]),
    });
    const gates: Array<() => void> = [];
    let started = 0;
    const task = () =>
      new Promise<void>((r) => {
        started++;
        gates.push(r);
      });
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      const q = await lanes.enqueue('tg:1', 'turn', 3, task);
      if (q.state === 'accepted') runs.push(q.done);
    }
    await until(() => started === 1);
    await until(() => depths.at(-1)?.[1] === 2);
    gates.shift()?.();
    await until(() => started === 2 && depths.at(-1)?.[1] === 1);
    await lanes.cancel('tg:1');
    await until(() => depths.at(-1)?.[1] === 0);
    for (const g of gates) g();
    await Promise.all(runs);
    expect(Math.max(...depths.map(([, n]) => n))).toBe(2);
    await lanes.close();
    await instance.stop();
  });

  it('wired to the metrics: per-platform sum and deepest chat, back to zero', async () => {
    const metrics = createMetrics({ version: '1' });
    const lanes = new LocalLanes(
      Date.now,
      () => {},
      (a, n) => metrics.port.queueDepth(a, n),
    );
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((r) => gates.push(r));
    for (const address of ['tg:1', 'tg:1', 'tg:1', 'tg:2', 'tg:2', 'dc:3', 'dc:3'])
      await lanes.enqueue(address, 'turn', 3, task);
    let text = (await metrics.render()).body;
    expect(text).toMatch(/^nemo_bot_queued_prompts\{platform="telegram"\} 3$/m);
    expect(text).toMatch(/^nemo_bot_queued_prompts\{platform="discord"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_queue_depth_max 2$/m);
    lanes.abortAll('shutdown');
    text = (await metrics.render()).body;
    expect(text).not.toMatch(/^nemo_bot_queued_prompts\{/m);
    expect(text).toMatch(/^nemo_bot_queue_depth_max 0$/m);
    for (const g of gates) g();
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}
