import { afterEach, describe, expect, test } from 'vitest';
import { Election } from '../../src/adapters/discord/election.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState, type StatePort } from '../../src/store/index.ts';

// The gateway election on the state port (memory here; the real-process test runs it on Redis): one holder,
// standbys that take over a dead holder's lease, a holder that leaves as soon as its lease is lost or could
// have run out unseen. Leases last 300 ms, so checks come every 100 ms.

const KEY = 'discord:gateway';
const LEASE_MS = 300;
const logger = createLogger({ level: 'silent', secrets: new Secrets() });

interface Instance {
  election: Election;
  events: Array<{ what: 'elected' | 'deposed' | 'takeover'; at: number; reason?: string }>;
  has(what: string): boolean;
}

const running: Election[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop();
});

function instance(state: StatePort, owner: string, elected = async () => {}): Instance {
  const events: Instance['events'] = [];
  const election = new Election({
    state,
    key: KEY,
    owner,
    leaseMs: LEASE_MS,
    logger,
    elected: async () => {
      events.push({ what: 'elected', at: Date.now() });
      await elected();
    },
    deposed: async (reason) => void events.push({ what: 'deposed', at: Date.now(), reason }),
    tookOver: () => void events.push({ what: 'takeover', at: Date.now() }),
  });
  running.push(election);
  return { election, events, has: (what) => events.some((e) => e.what === what) };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A store that stops answering when told (a stalled Redis, or a network cut between this instance and it). */
function stallable(state: StatePort): { state: StatePort; stall(): void } {
  let stalled = false;
  const hang = new Promise<never>(() => {});
  const proxy = new Proxy(state, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (stalled ? hang : value.apply(target, args));
    },
  });
  const stall = () => {
    stalled = true;
  };
  return { state: proxy, stall };
}

describe('the gateway election', () => {
  test('one instance holds, the other stands by; a stopping holder hands over and it counts as a takeover', async () => {
    const state = new MemoryState();
    const a = instance(state, 'a');
    const b = instance(state, 'b');
    expect(await a.election.start()).toBe(true);
    expect(await b.election.start()).toBe(false);
    // Several checks later, still one holder.
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    expect([a.election.holding, b.election.holding]).toEqual([true, false]);
    expect(a.has('deposed') || b.has('elected')).toBe(false);

    await a.election.stop();
    expect(a.events.map((e) => e.reason ?? e.what)).toEqual(['elected', 'stopping']);
    await until(() => b.election.holding, 'b takes over');
    expect(b.events.map((e) => e.what)).toEqual(['takeover', 'elected']);
  });

  test('a dead holder is replaced once its lease has run out, not before', async () => {
    const state = new MemoryState();
    // It took the lease and died: no renewal will come.
    const takenAt = Date.now();
    await state.acquireLease(KEY, 'dead', LEASE_MS);
    const b = instance(state, 'b');
    expect(await b.election.start()).toBe(false);
    await until(() => b.election.holding, 'b takes over');
    const elected = b.events.find((e) => e.what === 'elected')?.at ?? 0;
    expect(elected - takenAt).toBeGreaterThanOrEqual(LEASE_MS);
    expect(b.has('takeover')).toBe(true);
    expect((await state.leaseHolder(KEY))?.owner).toBe('b');
  });

  test('a holder whose lease was taken (fencing) leaves at its next check and stays on standby', async () => {
    const state = new MemoryState();
    const a = instance(state, 'a');
    await a.election.start();
    const held = await state.leaseHolder(KEY);
    if (!held) throw new Error('no holder');
    // The lease ran out while the holder stalled, and another instance took it.
    await state.releaseLease({ key: KEY, ...held });
    await state.acquireLease(KEY, 'thief', 60_000);
    await until(() => a.has('deposed'), 'a leaves');
    expect(a.events.at(-1)?.reason).toBe('gateway lease lost');
    expect(a.election.holding).toBe(false);
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(a.events.filter((e) => e.what === 'elected')).toHaveLength(1);
  });

  test('a holder cut off from the store leaves before its lease can run out, so no standby overlaps it', async () => {
    const shared = new MemoryState();
    const cut = stallable(shared);
    const a = instance(cut.state, 'a');
    const b = instance(shared, 'b');
    await a.election.start();
    await b.election.start();
    cut.stall();
    await until(() => b.election.holding, 'b takes over');
    const left = a.events.find((e) => e.what === 'deposed');
    const took = b.events.find((e) => e.what === 'elected');
    expect(left?.reason).toBe('gateway lease unconfirmed');
    expect(left?.at).toBeLessThanOrEqual(took?.at ?? 0);
  });

  test('a connection that fails at start fails start() and frees the lease at once', async () => {
    const state = new MemoryState();
    const a = instance(state, 'a', async () => {
      throw new Error('Discord refused the gateway intents');
    });
    await expect(a.election.start()).rejects.toThrow(/intents/);
    expect(await state.leaseHolder(KEY)).toBeUndefined();
    const b = instance(state, 'b');
    expect(await b.election.start()).toBe(true);
  });
});
