import { afterEach, describe, expect, it } from 'vitest';
import { metricsHandler } from '../../src/http.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createStore } from '../../src/store/index.ts';
import { captureLogs, healthOver, type Served, serve } from './helpers.ts';

// /metrics on the real HTTP server: Prometheus text from prom-client with the families the issue names, the
// core's hook points feeding them, and the optional bearer token (checked, never logged).

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const FAMILIES = [
  'nemo_bot_info',
  'nemo_bot_turns_total',
  'nemo_bot_turns_active',
  'nemo_bot_turn_duration_seconds',
  'nemo_bot_exports_total',
  'nemo_bot_exports_active',
  'nemo_bot_render_duration_seconds',
  'nemo_bot_errors_total',
  'nemo_bot_open_streams',
  'nemo_bot_queued_prompts',
  'nemo_bot_queue_depth_max',
  'nemo_bot_heartbeat_lateness_seconds',
  'nemo_bot_platform_api_errors_total',
  'nemo_bot_platform_api_retries_total',
  'nemo_bot_lease_takeovers_total',
  'nemo_bot_http_requests_total',
  'nemo_bot_http_request_duration_seconds',
  // prom-client's default process metrics
  'process_cpu_user_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
];

/** `name{labels} value` lines of the exposition, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('/metrics', () => {
  it('serves Prometheus text with every named family, fed by the MetricsPort hooks', async () => {
    const cap = captureLogs();
    const metrics = createMetrics({ version: '9.9.9' });
    served = await serve(cap.logger, { metrics });
    served.http.mount('/metrics', metricsHandler(metrics, { logger: cap.logger }));

    const m = metrics.port;
    m.turnStarted();
    m.turnStarted();
    m.turnEnded(42_000, 'done');
    m.exportStarted();
    m.exportEnded(95_000, 'posted');
    m.errorCode('nemo_unreachable');
    m.errorCode('nemo_unreachable');
    m.streamOpened();
    m.streamOpened();
    m.streamClosed();
    m.queueDepth('tg:-1001234567890', 2);
    m.queueDepth('tg:555555555', 1);
    m.queueDepth('dc:112233445566778899', 1);
    m.queueDepth('dc:112233445566778899', 0);
    m.heartbeatLateness(1_500);
    m.platformError('discord', 'POST /channels/112233445566778899/messages', 429);
    m.platformRetry('telegram', 'sendVideo');
    const interactionToken = 'aW50ZXJhY3Rpb246MTEyMjMzNDQ1NTY2Nzc4ODk5OnNlY3JldA';
    m.platformError('discord', `POST /interactions/112233445566778899/${interactionToken}/callback`, 404);
    m.leaseTakeover('export');
    await fetch(`${served.url}/healthz`);
    await fetch(`${served.url}/wp-login.php`);

    const res = await fetch(`${served.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const f of FAMILIES) expect(text, f).toMatch(new RegExp(`^# TYPE ${f} `, 'm'));

    const s = samples(text);
    expect(s.get('nemo_bot_info{version="9.9.9"}')).toBe(1);
    expect(s.get('nemo_bot_turns_active')).toBe(1);
    expect(s.get('nemo_bot_turns_total{outcome="done"}')).toBe(1);
    expect(s.get('nemo_bot_turn_duration_seconds_sum{outcome="done"}')).toBe(42);
    expect(s.get('nemo_bot_turn_duration_seconds_bucket{le="60",outcome="done"}')).toBe(1);
    expect(s.get('nemo_bot_turn_duration_seconds_bucket{le="30",outcome="done"}')).toBe(0);
    expect(s.get('nemo_bot_exports_total{outcome="posted"}')).toBe(1);
    expect(s.get('nemo_bot_exports_active')).toBe(0);
    expect(s.get('nemo_bot_render_duration_seconds_sum{outcome="posted"}')).toBe(95);
    expect(s.get('nemo_bot_errors_total{code="nemo_unreachable"}')).toBe(2);
    expect(s.get('nemo_bot_open_streams')).toBe(1);
    expect(s.get('nemo_bot_queued_prompts{platform="telegram"}')).toBe(3);
    expect(s.get('nemo_bot_queue_depth_max')).toBe(2);
    expect(s.get('nemo_bot_heartbeat_lateness_seconds_sum')).toBe(1.5);
    expect(
      s.get(
        'nemo_bot_platform_api_errors_total{platform="discord",method="POST /channels/:id/messages",code="429"}',
      ),
    ).toBe(1);
    expect(s.get('nemo_bot_platform_api_retries_total{platform="telegram",method="sendVideo"}')).toBe(1);
    expect(
      s.get(
        'nemo_bot_platform_api_errors_total{platform="discord",method="POST /interactions/:id/:token/callback",code="404"}',
      ),
    ).toBe(1);
    expect(text).not.toContain(interactionToken);
    expect(s.get('nemo_bot_lease_takeovers_total{kind="export"}')).toBe(1);
    expect(s.get('nemo_bot_http_requests_total{route="/healthz",method="GET",status="200"}')).toBe(1);
    // A scanner's path is one label value, not one per path.
    expect(s.get('nemo_bot_http_requests_total{route="other",method="GET",status="404"}')).toBe(1);
    expect(text).not.toContain('wp-login');
    // No chat address or id becomes a label (only the bot's own lines: process metrics print long floats).
    const own = text.split('\n').filter((l) => l.startsWith('nemo_bot_'));
    expect(own.join('\n')).not.toMatch(/1001234567890|555555555|112233445566778899/);
  });

  it('two bots in one process keep their own counters (no prom-client global registry)', async () => {
    const a = createMetrics({ version: '1' });
    const b = createMetrics({ version: '1' });
    a.port.turnStarted();
    a.port.turnEnded(1, 'done');
    const sa = samples((await a.render()).body);
    const sb = samples((await b.render()).body);
    expect(sa.get('nemo_bot_turns_total{outcome="done"}')).toBe(1);
    expect(sb.get('nemo_bot_turns_total{outcome="done"}')).toBeUndefined();
  });

  it('/readyz and /metrics requests are counted by route', async () => {
    const cap = captureLogs();
    const metrics = createMetrics({ version: '1' });
    const store = await createStore('memory://', { logger: cap.logger });
    served = await serve(cap.logger, { metrics, health: healthOver(store.state, cap) });
    served.http.mount('/metrics', metricsHandler(metrics, { logger: cap.logger }));
    await fetch(`${served.url}/readyz`);
    await store.close();
    await fetch(`${served.url}/readyz`);
    await fetch(`${served.url}/metrics`);
    const s = samples(await (await fetch(`${served.url}/metrics`)).text());
    expect(s.get('nemo_bot_http_requests_total{route="/readyz",method="GET",status="200"}')).toBe(1);
    expect(s.get('nemo_bot_http_requests_total{route="/readyz",method="GET",status="503"}')).toBe(1);
    expect(s.get('nemo_bot_http_requests_total{route="/metrics",method="GET",status="200"}')).toBe(1);
  });
});

describe('/metrics behind METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  const WRONG = 'metrics-token-wrong-wrong-wrong';

  it('401 without or with a wrong bearer token, 200 with the right one; no log line holds either', async () => {
    // The logger redacts nothing here (its own empty Secrets), so a token that was logged would show.
    const cap = captureLogs();
    const metrics = createMetrics({ version: '1' });
    served = await serve(cap.logger, { metrics });
    served.http.mount('/metrics', metricsHandler(metrics, { token: TOKEN, logger: cap.logger }));
    const url = `${served.url}/metrics`;

    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toMatch(/nemo_bot_/);
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${WRONG}` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    // A prefix of the token is not the token.
    const prefix = await fetch(url, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } });
    expect(prefix.status).toBe(401);

    const right = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toMatch(/^# TYPE nemo_bot_turns_total counter/m);

    const logs = cap.lines.join('\n');
    expect(logs).toMatch(/http 401/);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(WRONG);
  });
});
