import { afterEach, describe, expect, it } from 'vitest';
import { startDiscord } from '../../src/adapters/discord/index.ts';
import { startTelegram } from '../../src/adapters/telegram/index.ts';
import type { AdapterDeps, AdapterHandle } from '../../src/adapters/types.ts';
import { parseConfig } from '../../src/config.ts';
import type { Engine } from '../../src/core/ports.ts';
import type { Health } from '../../src/health.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/server.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { captureLogs, healthOver } from './helpers.ts';

// The real adapters (grammY, discord.js) against the fakes report their connection state to readiness:
// Telegram polling that Telegram refuses (409: another poller) and a Discord gateway that goes away.

const idleEngine: Engine = {
  handle: async () => {},
  registerChats: () => {},
  resume: async () => {},
  idle: async () => {},
  close: async () => {},
  working: () => undefined,
};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function parts(env: Record<string, string>) {
  const cap = captureLogs();
  const store: Store = await createStore('memory://', { logger: cap.logger });
  cleanups.push(() => store.close());
  const health: Health = healthOver(store.state, cap);
  const deps: AdapterDeps = {
    engine: idleEngine,
    config: parseConfig({ STORE_URL: 'memory://', ...env }),
    logger: cap.logger,
    secrets: cap.secrets,
    state: store.state,
    mount: () => {},
    health,
  };
  return { deps, health };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('adapters report to readiness', () => {
  it('Telegram: polling that another poller blocks (409) is down, named, with the code', async () => {
    const tg: FakeTelegram = await startFakeTelegram();
    cleanups.push(() => tg.close());
    // Another process's long poll, held open by the fake: the bot's getUpdates gets 409 Conflict.
    const other = new AbortController();
    cleanups.push(async () => other.abort());
    void fetch(`${tg.url}/bot${tg.token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeout: 30 }),
      signal: other.signal,
    }).catch(() => {});
    await until(async () => tg.calls.some((c) => c.method === 'getUpdates'), 'the other poller');

    const { deps, health } = await parts({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url });
    health.expect('telegram');
    const handle: AdapterHandle = await startTelegram(deps);
    cleanups.push(() => handle.stop());
    await until(async () => (await health.readiness()).checks.telegram?.reason !== 'starting', 'a report');
    const r = await health.readiness();
    expect(r.ready).toBe(false);
    expect(r.checks.telegram).toEqual({ status: 'down', reason: 'polling stopped: 409' });
  });

  it('Telegram: polling that runs is ok', async () => {
    const tg = await startFakeTelegram();
    cleanups.push(() => tg.close());
    const { deps, health } = await parts({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url });
    health.expect('telegram');
    const handle = await startTelegram(deps);
    cleanups.push(() => handle.stop());
    await until(async () => (await health.readiness()).ready, 'ready');
    expect((await health.readiness()).checks.telegram).toEqual({ status: 'ok', reason: 'polling' });
  });

  it('Discord: ok once the gateway is connected, down when the gateway goes away', async () => {
    const fake: FakeDiscord = await startFakeDiscord();
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await fake.close();
    });
    const { deps, health } = await parts({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.url });
    health.expect('discord');
    const handle = await startDiscord(deps, { readyTimeoutMs: 5_000 });
    cleanups.push(() => handle.stop());
    expect((await health.readiness()).checks.discord).toEqual({ status: 'ok', reason: 'gateway' });

    await fake.close();
    closed = true;
    await until(async () => !(await health.readiness()).ready, 'discord down');
    expect((await health.readiness()).checks.discord?.status).toBe('down');
  });
});

describe('adapters count platform API errors and retries for /metrics', () => {
  const replyingEngine: Engine = {
    ...idleEngine,
    handle: async (_msg, chat) => {
      await chat.send({ text: 'hello back' });
    },
  };
  const counted = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.render()).body;

  it('Telegram: a 429 on sendMessage is one error and one retry (auto-retry sends it again)', async () => {
    const tg = await startFakeTelegram();
    cleanups.push(() => tg.close());
    const { deps } = await parts({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url });
    const metrics = createMetrics({ version: '1' });
    const handle = await startTelegram({ ...deps, engine: replyingEngine, metrics: metrics.port });
    cleanups.push(() => handle.stop());
    tg.rateLimit('sendMessage', 1, 0);
    const user = tg.user(1001, { lang: 'en' });
    const chat = tg.privateChat(user);
    tg.sendText(chat, user, 'hi');
    await until(async () => tg.sent(chat.id).length > 0, 'the reply');
    const text = await counted(metrics);
    expect(text).toMatch(
      /^nemo_bot_platform_api_errors_total\{platform="telegram",method="sendMessage",code="429"\} 1$/m,
    );
    expect(text).toMatch(
      /^nemo_bot_platform_api_retries_total\{platform="telegram",method="sendMessage"\} 1$/m,
    );
    expect(text).not.toContain(tg.token);
  });

  it('Discord: a 429 on a channel message is counted by route, without ids', async () => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const { deps } = await parts({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.url });
    const metrics = createMetrics({ version: '1' });
    const handle = await startDiscord(
      { ...deps, engine: replyingEngine, metrics: metrics.port },
      { readyTimeoutMs: 5_000 },
    );
    cleanups.push(() => handle.stop());
    fake.rateLimit(/^POST \/channels\/\d+\/messages$/, 1, 0.05);
    fake.message('hello bot', { dm: true });
    await until(
      async () => /platform_api_retries_total\{platform="discord"/.test(await counted(metrics)),
      'a retry',
    );
    const text = await counted(metrics);
    expect(text).toMatch(
      /^nemo_bot_platform_api_errors_total\{platform="discord",method="POST \/channels\/:id\/messages",code="429"\} 1$/m,
    );
    expect(text).toMatch(
      /^nemo_bot_platform_api_retries_total\{platform="discord",method="POST \/channels\/:id\/messages"\} 1$/m,
    );
    // No snowflake in a label (default process metrics may print long floats, so only the bot's own lines).
    const own = text.split('\n').filter((l) => l.startsWith('nemo_bot_'));
    expect(own.join('\n')).not.toMatch(/\d{17,}/);
  });
});
