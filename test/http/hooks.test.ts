import { describe, expect, it } from 'vitest';
import { Lanes } from '../../src/core/lanes.ts';
import { createMetrics } from '../../src/metrics.ts';

// The queue-depth hook point: the lanes tell how many prompts wait in a chat whenever that changes, and
// /metrics sums them per platform without naming a chat.

describe('queue depth from the lanes', () => {
  it('reports every change: queued, started, dropped', async () => {
    const depths: Array<[string, number]> = [];
    const lanes = new Lanes(
      Date.now,
      () => {},
      (address, n) => depths.push([address, n]),
    );
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((r) => gates.push(r));
    lanes.enqueue('tg:1', 'turn', 3, task);
    lanes.enqueue('tg:1', 'turn', 3, task);
    lanes.enqueue('tg:1', 'turn', 3, task);
    expect(depths).toEqual([
      ['tg:1', 1],
      ['tg:1', 2],
    ]);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(depths.at(-1)).toEqual(['tg:1', 1]);
    lanes.cancel('tg:1');
    expect(depths.at(-1)).toEqual(['tg:1', 0]);
    for (const g of gates) g();
  });

  it('wired to the metrics: per-platform sum and deepest chat, back to zero', async () => {
    const metrics = createMetrics({ version: '1' });
    const lanes = new Lanes(
      Date.now,
      () => {},
      (a, n) => metrics.port.queueDepth(a, n),
    );
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((r) => gates.push(r));
    for (const address of ['tg:1', 'tg:1', 'tg:1', 'tg:2', 'tg:2', 'dc:3', 'dc:3'])
      lanes.enqueue(address, 'turn', 3, task);
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
