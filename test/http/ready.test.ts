import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHealth } from '../../src/health.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import {
  captureLogs,
  dropNamespace,
  getJson,
  healthOver,
  REDIS_URL,
  type Served,
  serve,
  startRedisRelay,
  uniqueNamespace,
} from './helpers.ts';

// /healthz and /readyz on the real HTTP server (127.0.0.1:0) over each real store: memory, a SQLite file and
// Redis (the test database). Readiness probes the state port; adapters report; SIGTERM drains.

const dirs: string[] = [];
const namespaces: string[] = [];
let served: Served | undefined;
let store: Store | undefined;

afterEach(async () => {
  await served?.close();
  await store?.close();
  served = undefined;
  store = undefined;
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  for (const ns of namespaces) await dropNamespace(ns).catch(() => {});
});

let redisDown: string | undefined;
try {
  const probe = await createStore(REDIS_URL, {
    logger: captureLogs().logger,
    namespace: uniqueNamespace('p'),
  });
  await probe.close();
} catch (e) {
  redisDown = e instanceof Error ? e.message : String(e);
}
if (redisDown && process.env.CI === 'true') throw new Error(`Redis is required in CI: ${redisDown}`);

const backends: Array<[string, (logger: ReturnType<typeof captureLogs>['logger']) => Promise<Store>]> = [
  ['memory', (logger) => createStore('memory://', { logger })],
  [
    'sqlite',
    async (logger) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'bot-ready-'));
      dirs.push(dir);
      return createStore(`sqlite://${path.join(dir, 'bot.sqlite')}`, { logger });
    },
  ],
];
if (!redisDown)
  backends.push([
    'redis',
    (logger) => {
      const namespace = uniqueNamespace('ready');
      namespaces.push(namespace);
      return createStore(REDIS_URL, { logger, namespace });
    },
  ]);

describe.each(backends)('/healthz and /readyz over the %s store', (_name, open) => {
  const start = async () => {
    const cap = captureLogs();
    store = await open(cap.logger);
    const health = healthOver(store.state, cap);
    served = await serve(cap.logger, { health });
    return { cap, health, url: served.url };
  };

  it('ready: 200 with every check named and ok; /healthz says alive', async () => {
    const { url } = await start();
    const ready = await getJson(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ok: true, checks: { store: { status: 'ok' }, draining: { status: 'ok' } } });
    expect(await getJson(`${url}/healthz`)).toEqual({ status: 200, body: { ok: true } });
    expect((await fetch(`${url}/readyz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('an adapter that has not reported yet, or reports down, makes it 503 and is named', async () => {
    const { health, url } = await start();
    health.expect('telegram');
    let r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body.checks).toMatchObject({ telegram: { status: 'down', reason: 'starting' } });

    health.report('telegram', 'ok', 'polling');
    r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(200);
    expect(r.body.checks).toMatchObject({ telegram: { status: 'ok', reason: 'polling' } });

    health.report('telegram', 'down', 'polling stopped: 409');
    r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({
      ok: false,
      checks: { store: { status: 'ok' }, telegram: { status: 'down', reason: 'polling stopped: 409' } },
    });
  });

  it('draining (after SIGTERM): /readyz 503 at once, /healthz still 200', async () => {
    const { health, url } = await start();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    health.drain();
    const r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body.checks).toMatchObject({ draining: { status: 'down' }, store: { status: 'ok' } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('a store that fails: 503 naming the store, no error text in the body, one warning in the log', async () => {
    const { cap, url } = await start();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await store?.close();
    for (let i = 0; i < 2; i++) {
      const r = await getJson(`${url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body.checks).toMatchObject({ store: { status: 'down', reason: 'store error' } });
    }
    expect(cap.lines.filter((l) => l.includes('failed its probe'))).toHaveLength(1);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe.skipIf(Boolean(redisDown))('/readyz and a Redis that stalls or goes away', () => {
  it('a stalled Redis: 503 after READY_TIMEOUT_MS, ready again once it answers', async () => {
    const relay = await startRedisRelay();
    try {
      const cap = captureLogs();
      const namespace = uniqueNamespace('stall');
      namespaces.push(namespace);
      store = await createStore(relay.url, { logger: cap.logger, namespace });
      served = await serve(cap.logger, { health: healthOver(store.state, cap, 200) });
      expect((await fetch(`${served.url}/readyz`)).status).toBe(200);

      relay.pause();
      const r = await getJson(`${served.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body.checks).toMatchObject({ store: { status: 'down', reason: 'no answer within 200 ms' } });

      relay.resume();
      expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
    } finally {
      await relay.close();
    }
  });

  it('Redis gone: 503 at once (commands are not queued while disconnected)', async () => {
    const relay = await startRedisRelay();
    const cap = captureLogs();
    const namespace = uniqueNamespace('gone');
    namespaces.push(namespace);
    store = await createStore(relay.url, { logger: cap.logger, namespace });
    // A long timeout: the 503 must come from the rejected command, not from the timer.
    served = await serve(cap.logger, { health: healthOver(store.state, cap, 15_000) });
    expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
    await relay.cut();
    const r = await getJson(`${served.url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body.checks).toMatchObject({ store: { status: 'down', reason: 'store error' } });
  });
});

describe('readiness details', () => {
  it('concurrent /readyz calls share one store probe', async () => {
    let probes = 0;
    let release = () => {};
    const cap = captureLogs();
    const health = createHealth({
      probeStore: () => {
        probes++;
        return new Promise<void>((r) => {
          release = r;
        });
      },
      storeTimeoutMs: 5_000,
      logger: cap.logger,
      secrets: cap.secrets,
    });
    const all = Promise.all([1, 2, 3, 4, 5].map(() => health.readiness()));
    await new Promise((r) => setImmediate(r));
    release();
    const reports = await all;
    expect(probes).toBe(1);
    expect(reports.every((r) => r.ready)).toBe(true);
  });

  it('a secret inside an adapter reason never reaches the body', async () => {
    const cap = captureLogs();
    const token = '123456:AAsecretTelegramTokenValue';
    cap.secrets.add(token);
    const s = await createStore('memory://', { logger: cap.logger });
    store = s;
    const health = healthOver(s.state, cap);
    served = await serve(cap.logger, { health });
    health.report('telegram', 'down', `getMe failed for https://api.telegram.org/bot${token}/getMe`);
    const res = await fetch(`${served.url}/readyz`);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(token);
    expect(cap.lines.join('\n')).not.toContain(token);
  });

  it('without a Health, /readyz is not served (a metrics-only server)', async () => {
    const cap = captureLogs();
    served = await serve(cap.logger);
    expect((await fetch(`${served.url}/readyz`)).status).toBe(404);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
  });
});
