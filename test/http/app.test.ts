import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { FAST_ENV, startBot, until } from '../terminal/child.ts';

// The wiring in app.ts, in the real process (`node --import tsx src/main.ts`) against the fake Telegram and
// NemoVideo: /readyz follows the Telegram adapter and drains on SIGTERM, /metrics is where the configuration
// says and nowhere else, and METRICS_TOKEN never reaches a log line, even at trace level.

let tg: FakeTelegram;
let nemo: FakeNemo;
let dir: string;

beforeEach(async () => {
  tg = await startFakeTelegram();
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 20 });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-ops-'));
});
afterEach(async () => {
  await tg.close();
  await nemo.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({
  ...FAST_ENV,
  TELEGRAM_BOT_TOKEN: tg.token,
  TELEGRAM_API_ROOT: tg.url,
  NEMO_API_URL: nemo.url,
  STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
  EXPORT_DIR: dir,
  PORT: '0',
  ...extra,
});

const portOf = (stderr: string, key: string) => Number(new RegExp(`"${key}":(\\d+)`).exec(stderr)?.[1]);

describe('operations endpoints of the real bot', () => {
  it('/readyz follows the Telegram adapter and turns 503 on SIGTERM; /metrics on METRICS_PORT only', async () => {
    const bot = startBot(env({ METRICS_PORT: '0' }));
    await until(() => /telegram bot started/.test(bot.stderr()), 15_000, 'telegram polling');
    await until(() => /"metricsPort":\d+/.test(bot.stderr()), 5_000, 'the metrics server');
    const main = `http://127.0.0.1:${portOf(bot.stderr(), 'port')}`;
    const metricsUrl = `http://127.0.0.1:${portOf(bot.stderr(), 'metricsPort')}/metrics`;

    const ready = await fetch(`${main}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.checks).toMatchObject({
      store: { status: 'ok' },
      telegram: { status: 'ok' },
      draining: { status: 'ok' },
    });

    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    const text = await scraped.text();
    expect(text).toMatch(/^nemo_bot_http_requests_total\{route="\/readyz",method="GET",status="200"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    // Not on the public port.
    expect((await fetch(`${main}/metrics`)).status).toBe(404);

    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.stderr()).toBe(0);
    const log = bot.stderr();
    const drained = log.indexOf('draining: /readyz answers 503');
    expect(drained, log).toBeGreaterThan(-1);
    // Before anything stops: the load balancer is told first.
    expect(drained).toBeLessThan(log.indexOf('telegram adapter stopped'));
    expect(log).not.toContain(tg.token);
  }, 30_000);

  it('METRICS_TOKEN on the public port: 401 without it, 200 with it, and no log line shows it', async () => {
    const token = 'scrape-0123456789-abcdef-TOKEN';
    const wrong = 'scrape-wrong-wrong-wrong-TOKEN';
    const bot = startBot(env({ METRICS_TOKEN: token, LOG_LEVEL: 'trace' }));
    await until(() => /telegram bot started/.test(bot.stderr()), 15_000, 'telegram polling');
    const url = `http://127.0.0.1:${portOf(bot.stderr(), 'port')}/metrics`;

    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# TYPE nemo_bot_turns_total counter$/m);

    bot.child.kill('SIGTERM');
    expect((await bot.exited).code, bot.stderr()).toBe(0);
    expect(bot.stderr()).toMatch(/http 401/);
    expect(bot.stderr()).not.toContain(token);
    expect(bot.stderr()).not.toContain(wrong);
  }, 30_000);

  it('a bad METRICS_TOKEN or METRICS_PORT stops the bot with one line naming the variable', async () => {
    for (const [extra, name] of [
      [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
      [{ PORT: '9000', METRICS_PORT: '9000' }, 'METRICS_PORT'],
    ] as const) {
      const bot = startBot(env(extra), '');
      const { code } = await bot.exited;
      expect(code).toBe(2);
      const lines = bot.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(lines[0]).not.toContain('short');
    }
  }, 30_000);
});

describe('the core reports through MetricsPort', () => {
  it('a turn and an export in the terminal chat show in /metrics; no stream stays open', async () => {
    const bot = startBot({
      ...FAST_ENV,
      NEMO_API_URL: nemo.url,
      STORE_URL: 'memory://',
      EXPORT_DIR: dir,
      PORT: '0',
      METRICS_PORT: '0',
    });
    await until(() => /"metricsPort":\d+/.test(bot.stderr()), 15_000, 'the metrics server');
    const url = `http://127.0.0.1:${portOf(bot.stderr(), 'metricsPort')}/metrics`;
    bot.child.stdin?.write('make a 30-second promo for my candle shop\nexport\n');
    await until(() => /^Saved: .+\.mp4/m.test(bot.stdout()), 20_000, 'the saved MP4');

    // "Saved:" is printed just before the export's end is counted: wait for the count, not the line.
    let text = '';
    for (const start = Date.now(); Date.now() - start < 10_000; ) {
      text = await (await fetch(url)).text();
      if (/^nemo_bot_exports_total\{outcome="posted"\} 1$/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toMatch(/^nemo_bot_turns_total\{outcome="done"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_turn_duration_seconds_count\{outcome="done"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_turns_active 0$/m);
    expect(text).toMatch(/^nemo_bot_open_streams 0$/m);
    expect(text).toMatch(/^nemo_bot_exports_total\{outcome="posted"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_render_duration_seconds_count\{outcome="posted"\} 1$/m);
    expect(text).toMatch(/^nemo_bot_exports_active 0$/m);

    bot.child.stdin?.end();
    expect((await bot.exited).code, bot.stderr()).toBe(0);
  }, 40_000);
});
