import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { type BotRun, FAST_ENV, startBot, until } from '../terminal/child.ts';

// The real bot (`npm start` in Telegram mode, a SQLite file) is SIGKILLed while it uploads the video of a paid
// render: the fake Bot API holds the sendVideo call (it never finishes). Before, the render was marked posted
// before the upload, so the next process dropped it and the user never got the video. Now the next process
// posts it again: exactly one video in the chat, one render at the backend.

let tg: FakeTelegram;
let nemo: FakeNemo;
let dir: string;
const running: BotRun[] = [];

beforeEach(async () => {
  tg = await startFakeTelegram();
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 100, replyMs: 20, renderPolls: 2 });
  dir = await mkdtemp(path.join(tmpdir(), 'tg-kill-upload-'));
});
afterEach(async () => {
  for (const run of running.splice(0)) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
  await tg.close();
  await nemo.close();
  await rm(dir, { recursive: true, force: true });
});

it('a kill mid-upload: the restarted bot posts the video again, once', async () => {
  const env = {
    ...FAST_ENV,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.url,
    NEMO_API_URL: nemo.url,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    EXPORT_DIR: path.join(dir, 'exports'),
    PORT: '0',
  };
  const ann = tg.user(7);
  const chat = tg.privateChat(ann);
  const videos = () => tg.calls.filter((c) => c.method === 'sendVideo' && c.status === 200);

  const first = startBot(env);
  running.push(first);
  await tg.waitFor('getUpdates', (c) => Number(c.params.timeout) > 0, 15_000);
  tg.sendText(chat, ann, 'make a 30-second promo for my candle shop');
  await until(() => tg.sent(7).some((m) => m.text?.includes('promo')), 15_000, 'the agent reply');
  const held = tg.switches.hold('sendVideo');
  tg.sendText(chat, ann, 'export');
  await held;
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(videos()).toHaveLength(0);

  const second = startBot(env);
  running.push(second);
  await until(() => videos().length === 1, 15_000, 'the video posted again');
  await until(
    () => tg.sent(7).some((m) => m.text?.startsWith('✅ Rendered')),
    15_000,
    'the progress finished',
  );
  expect(videos()[0]?.files.video?.bytes.equals(nemo.mp4())).toBe(true);
  expect(tg.sent(7).filter((m) => m.kind === 'video')).toHaveLength(1);
  expect(nemo.count('render')).toBe(1);
  expect(second.stderr()).not.toContain(tg.token);

  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  running.splice(0);
}, 60_000);
