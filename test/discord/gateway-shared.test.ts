import { afterEach, expect, test } from 'vitest';
import { createHealth } from '../../src/health.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState, type StatePort } from '../../src/store/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/server.ts';
import { type Harness, ScriptedEngine, startHarness } from './harness.ts';

// The adapter on a shared store (STORE_URL names Redis; the state port here is one MemoryState both adapters
// share, standing in for it): the gateway is elected, and should two instances ever both be on it (a holder
// stalled past its lease, not yet told), a message that reaches both is still handled once.

const SHARED = { STORE_URL: 'redis://127.0.0.1:6379/5', DISCORD_GATEWAY_LEASE_MS: '300' };
const harnesses: Harness[] = [];
let fake: FakeDiscord | undefined;

afterEach(async () => {
  for (const h of harnesses.splice(0).reverse()) await h.handle.stop();
  await fake?.close();
  fake = undefined;
});

async function adapter(
  state: StatePort,
  engine = new ScriptedEngine(),
  env: Record<string, string> = SHARED,
) {
  const secrets = new Secrets();
  const health = createHealth({
    probeStore: async () => undefined,
    storeTimeoutMs: 100,
    logger: createLogger({ level: 'silent', secrets }),
    secrets,
  });
  const h = await startHarness({ engine, fakeDiscord: fake as FakeDiscord, env, state, health });
  harnesses.push(h);
  const discord = async () => (await health.readiness()).checks.discord;
  return { h, engine, discord };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('two adapters on one store: one gateway session, the other ready on standby; a stop hands over', async () => {
  fake = await startFakeDiscord();
  const state = new MemoryState();
  const a = await adapter(state);
  const b = await adapter(state);
  expect(await a.discord()).toEqual({ status: 'ok', reason: 'gateway' });
  expect(await b.discord()).toEqual({ status: 'ok', reason: 'standby' });
  await new Promise((r) => setTimeout(r, 400));
  expect(fake.sessions).toEqual({ now: 1, max: 1 });

  await a.h.handle.stop();
  await until(async () => (await b.discord())?.reason === 'gateway', 'b on the gateway');
  expect(fake.sessions).toEqual({ now: 1, max: 1 });
  // The new holder hears messages.
  fake.message('hello again', { dm: true });
  await until(() => b.engine.received.length === 1, 'the message at b');
  expect(a.engine.received).toHaveLength(0);
});

/** The same store, except that leases are this adapter's own: it is elected whatever the other holds. */
function ownLeases(state: MemoryState, tag: string): StatePort {
  return new Proxy(state, {
    get(target, prop) {
      if (prop === 'acquireLease')
        return (key: string, owner: string, ms: number) => target.acquireLease(`${tag}:${key}`, owner, ms);
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

test.each([
  ['on a shared store, once', SHARED, 1],
  ['on single-instance stores, by each', { STORE_URL: 'memory://' }, 2],
])(
  'two instances both on the gateway (a stalled holder not yet gone): a message is handled %s',
  async (_what, env, times) => {
    fake = await startFakeDiscord();
    const state = new MemoryState();
    const a = await adapter(ownLeases(state, 'a'), new ScriptedEngine(), env);
    const b = await adapter(ownLeases(state, 'b'), new ScriptedEngine(), env);
    expect(fake.sessions.now).toBe(2);
    fake.message('make a clip of rain', { dm: true });
    fake.message('and one of snow', { dm: true });
    const heard = () => [...a.engine.received, ...b.engine.received].map((r) => r.msg.text);
    await until(() => heard().filter((t) => t.includes('snow')).length === times, 'the later message');
    expect(heard().filter((t) => t.includes('rain'))).toHaveLength(times);
  },
);
