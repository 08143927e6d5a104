import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ttyScreen } from '../../src/adapters/terminal/screen.ts';
import { HOSTILE, HOSTILE_CLEAN, UNSAFE } from '../adapters-shared/hostile.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, runBot, startBot, until } from './child.ts';

// Escape sequences in the agent's words, or in the user's own words echoed back, never reach the terminal:
// real `npm start` processes against the fake NemoVideo, with the bytes on stdout checked.

const ESC = '\x1b';
/** A prompt whose words come back in the timeline (clip names) and in the "I restarted" notice. */
const PROMPT = `make a video about ${ESC}]0;owned${'\x07'}candles ${ESC}[2Jand\x08\x08 soap`;

let fake: FakeNemo;
let dir: string;

beforeEach(async () => {
  fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 100, replyMs: 20 });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-escapes-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ ...FAST_ENV, NEMO_API_URL: fake.url, STORE_URL: 'memory://', EXPORT_DIR: dir });

function expectSafe(stdout: string): void {
  const bad = [...stdout].filter((c) => UNSAFE.test(c));
  expect(
    bad.map((c) => `U+${c.codePointAt(0)?.toString(16).padStart(4, '0')}`),
    stdout,
  ).toEqual([]);
}

describe('the terminal prints no escape sequence it did not write itself', () => {
  it("the agent's reply and the user's echoed words reach stdout without control characters", async () => {
    fake.options.replyText = HOSTILE;
    const { code, stdout, stderr } = await runBot(env(), `${PROMPT}\nstatus\n`);
    expect(code, stderr).toBe(0);
    // The agent got the prompt as typed: cleaning is for what is shown, not for what is sent.
    expect(fake.chats.map((c) => c.text)).toEqual([PROMPT]);
    expectSafe(stdout);
    expect(stdout).toContain(HOSTILE_CLEAN);
    // The timeline's title comes from the prompt: the user's words, shown cleaned.
    expect(stdout).toContain('Title: "about candles and soap"');
  });

  it('the "I restarted while working on …" notice echoes the prompt cleaned', async () => {
    const sqlite = { ...env(), STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}` };
    fake.options.generateMs = 60_000;
    const first = startBot(sqlite, `${PROMPT}\n`);
    await until(() => fake.chats.length === 1, 15_000, 'the prompt to reach the agent');
    first.child.kill('SIGKILL');
    await first.exited;
    fake.options.generateMs = 20;

    const second = await runBot(sqlite, '');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /I restarted while working on your request "make a video about candles and/,
    );
    expectSafe(second.stdout);
  }, 40_000);
});

describe('ttyScreen', () => {
  it('writes only its own cursor moves around a hostile text', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (c: Buffer) => {
      written += c.toString('utf8');
    });
    const screen = ttyScreen(Object.assign(out, { columns: 80 }));
    screen.print(HOSTILE);
    expect(screen.rewriteLast(`${HOSTILE} 50%`)).toBe(true);
    // readline's clear-line, cursor-to-column and cursor-up; nothing else may remain.
    const own = /\x1b\[(?:\d*[GK]|\d*A)/g;
    expect(written.match(own)?.length ?? 0).toBeGreaterThan(0);
    expectSafe(written.replace(own, ''));
    expect(written).toContain(HOSTILE_CLEAN);
    expect(written).toContain(`${HOSTILE_CLEAN} 50%`);
  });
});
