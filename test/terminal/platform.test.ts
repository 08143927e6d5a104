import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { FAST_ENV, runBot, startBot, until } from './child.ts';

// main's wiring in platform mode, as a real process: a wrong token fails fast with one line; a right one
// serves /healthz, answers a Telegram user through the engine, and stops cleanly on SIGTERM.

let tg: FakeTelegram;
let nemo: FakeNemo;
let dir: string;

beforeEach(async () => {
  tg = await startFakeTelegram();
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 20 });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-platform-'));
});
afterEach(async () => {
  await tg.close();
  await nemo.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  ...FAST_ENV,
  TELEGRAM_API_ROOT: tg.url,
  NEMO_API_URL: nemo.url,
  STORE_URL: 'memory://',
  EXPORT_DIR: dir,
  PORT: '0',
});

describe('platform mode', () => {
  it('a wrong Telegram token: exit 1 with one line that does not contain the token', async () => {
    const wrong = '987654321:AAwrongTokenWrongTokenWrongToken_xyz';
    const { code, stdout, stderr } = await runBot({ ...env(), TELEGRAM_BOT_TOKEN: wrong }, '');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter((l) => l && !l.startsWith('{'));
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(stderr).not.toContain(wrong);
    expect(stderr).not.toContain('AAwrongToken');
  });

  it('a right token: /healthz, a Telegram chat answered, SIGTERM → exit 0', async () => {
    const bot = startBot({ ...env(), TELEGRAM_BOT_TOKEN: tg.token });
    await until(() => /"port":\d+/.test(bot.stderr()), 15_000, 'the http server');
    const port = /"port":(\d+)/.exec(bot.stderr())?.[1];
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const user = tg.user(1001, { lang: 'en' });
    tg.sendText(tg.privateChat(user), user, 'credits');
    const said = () =>
      tg.calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.params.text ?? ''));
    await until(() => said().some((t) => /Credits/.test(t)), 15_000, 'the credits answer');

    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.stderr()).toBe(0);
    expect(bot.stdout()).toBe('');
    expect(bot.stderr()).not.toContain(tg.token);
  }, 30_000);
});
