import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, runBot, startBot, until } from './child.ts';

// A real `npm start` process on a real SQLite file is SIGKILLed while it polls a render; the next process,
// with nothing on stdin, resumes the job through the terminal chat and saves the MP4 exactly once, without
// creating a second render.

let fake: FakeNemo;
let dir: string;

beforeEach(async () => {
  // The render never completes while the first process lives.
  fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 100, replyMs: 20, renderPolls: 10_000 });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-resume-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it('resumes a render after SIGKILL mid-poll and posts it exactly once', async () => {
  const exportDir = path.join(dir, 'exports');
  const env = {
    ...FAST_ENV,
    NEMO_API_URL: fake.url,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    EXPORT_DIR: exportDir,
    RENDER_POLL_INTERVAL_MS: '100',
    RENDER_POLL_MAX: '100',
  };

  const first = startBot(env, 'make a promo\nexport\n');
  await until(() => fake.count('poll') >= 1, 15_000, 'the first render poll');
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');
  expect(first.stdout()).not.toMatch(/^Saved: /m);
  expect(fake.count('render')).toBe(1);

  // Now the backend finishes the render at the next poll.
  fake.options.renderPolls = 1;
  const second = await runBot(env, '');
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/picking up your export/);
  const saved = [...second.stdout.matchAll(/^Saved: (.+\.mp4) \([\d.]+ MB\)$/gm)];
  expect(saved, second.stdout).toHaveLength(1);
  const file = saved[0]?.[1] ?? '';
  expect((await readFile(file)).equals(fake.mp4())).toBe(true);
  expect((await readdir(exportDir)).filter((f) => f.endsWith('.mp4'))).toEqual([path.basename(file)]);
  expect(fake.count('render')).toBe(1);
  expect(fake.duplicateChats).toEqual([]);

  // Posted once means once: a third start finds nothing left to do.
  const third = await runBot(env, '');
  expect(third.code, third.stderr).toBe(0);
  expect(third.stdout).not.toMatch(/^Saved: /m);
  expect(fake.count('render')).toBe(1);
}, 40_000);
