import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, runBot, startBot, until } from './child.ts';

// A real `npm start` process on a real SQLite file is SIGKILLed while an export is being planned (its state
// call never answers, so no job is stored yet). Before, the request vanished: the user tapped Export and heard
// nothing, ever. The export request is recorded first, so the next process tells the chat it was interrupted
// (nothing rendered, nothing charged) and offers Export again; it renders nothing by itself.

let fake: FakeNemo;
let dir: string;

beforeEach(async () => {
  fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 100, replyMs: 20, renderPolls: 2 });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-intent-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it('a kill before the export job is stored is told after the restart, and nothing is rendered', async () => {
  const env = {
    ...FAST_ENV,
    NEMO_API_URL: fake.url,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    EXPORT_DIR: path.join(dir, 'exports'),
  };
  const made = await runBot(env, 'make a promo\n');
  expect(made.code, made.stderr).toBe(0);

  // The export's state call hangs: the process is killed while it plans the export.
  fake.options.faults = [{ route: 'state', hangMs: 60_000 }];
  const states = fake.count('state');
  const exporting = startBot(env, 'export\n');
  await until(() => fake.count('state') > states, 15_000, 'the export reading the state');
  exporting.child.kill('SIGKILL');
  expect((await exporting.exited).signal).toBe('SIGKILL');
  fake.options.faults = [];

  const next = await runBot(env, '');
  expect(next.code, next.stderr).toBe(0);
  expect(next.stdout).toContain(en.exportInterrupted);
  expect(fake.count('render')).toBe(0);

  // Told once.
  const third = await runBot(env, '');
  expect(third.stdout).not.toContain(en.exportInterrupted);
}, 60_000);
