import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, ROOT, until } from './child.ts';
import { visibleScreen } from './screen-model.ts';

// The terminal chat as a person sees it: the real bot on a pseudo-terminal (`script` from util-linux gives it
// a TTY for stdin, stdout and stderr alike), keys typed into it, the screen read back.

const hasScript = spawnSync('script', ['--version']).status === 0;

let dir: string;
let fake: FakeNemo | undefined;
let child: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bot-tty-'));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  fake = child = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Runs the bot on a pseudo-terminal; `screen()` is what a person sees now, `frames()` what they saw after each write. */
function onTty(env: Record<string, string>) {
  const c = spawn('script', ['-qfec', `${process.execPath} --import tsx src/main.ts`, '/dev/null'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      TERM: 'xterm',
      EXPORT_DIR: dir,
      STORE_URL: 'memory://',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child = c;
  let raw = '';
  const ends: number[] = [];
  c.stdout?.on('data', (b: Buffer) => {
    raw += b.toString('utf8');
    ends.push(raw.length);
  });
  const exited = new Promise<number | null>((resolve) => c.once('close', resolve));
  const screen = () => visibleScreen(raw).join('\n');
  return {
    screen,
    frames: () => ends.map((end) => visibleScreen(raw.slice(0, end))),
    type: (keys: string) => c.stdin?.write(keys),
    waitFor: (text: string | RegExp, what = String(text)) =>
      until(() => (typeof text === 'string' ? screen().includes(text) : text.test(screen())), 15_000, what),
    exited,
  };
}

describe.skipIf(!hasScript)('the terminal on a TTY', () => {
  it('shows logs as short human lines, never JSON, and a rejected NEMO_TOKEN once', async () => {
    fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 10 });
    const token = 'nmv_op_not_valid_on_this_fake_77';
    const tty = onTty({ ...FAST_ENV, NEMO_API_URL: fake.url, NEMO_TOKEN: token });
    await tty.waitFor('NEMO_TOKEN was rejected', 'the start-up warning');
    tty.type('credits\r');
    await tty.waitFor('NemoVideo rejected NEMO_TOKEN', 'the answer');
    tty.type('\x04'); // Ctrl+D: end of input
    expect(await tty.exited).toBe(0);
    const screen = tty.screen();
    expect(screen).toMatch(/^✖ NEMO_TOKEN was rejected by NemoVideo/m);
    expect(screen.match(/NEMO_TOKEN was rejected/g)).toHaveLength(1);
    expect(screen).not.toMatch(/\{"level"|"msg":/);
    expect(screen).not.toContain(token);
  }, 30_000);

  it('no "> " prompt while a turn runs; Ctrl+C during an export says what is lost, a second one quits', async () => {
    fake = await startFakeNemo({
      heartbeatMs: 20,
      generateMs: 1_200,
      replyMs: 10,
      renderPolls: 400,
      replyText: 'Your promo draft is ready.',
    });
    const tty = onTty({
      ...FAST_ENV,
      NEMO_API_URL: fake.url,
      HEARTBEAT_INTERVAL_MS: '150',
      RENDER_POLL_INTERVAL_MS: '20',
      RENDER_POLL_MAX: '1000',
    });
    await tty.waitFor(/^>$/m, 'the first prompt');
    tty.type('make a 30-second promo for my candle shop\r');
    await tty.waitFor('Your promo draft is ready.', 'the reply');
    await tty.waitFor(/\n>$/, 'the prompt after the turn');
    // What the screen showed at each moment of the turn: bot lines, never a prompt under them.
    const frames = tty.frames();
    const typed = frames.findIndex((f) => f.includes('> make a 30-second promo for my candle shop'));
    const replied = frames.findIndex((f) => f.includes('Your promo draft is ready.'));
    const turn = frames.slice(typed + 1, replied);
    expect(turn.some((f) => f.some((l) => l.startsWith('⏳ Still working')))).toBe(true);
    expect(turn.filter((f) => f.at(-1)?.startsWith('>'))).toEqual([]);
    expect(frames.at(-1)?.at(-1)).toBe('>');

    tty.type('export\r');
    await tty.waitFor('🎬 Rendering', 'the render');
    tty.type('\x03');
    const warning = en.quitWhileWorking('export', false);
    await tty.waitFor(warning, 'the Ctrl+C warning');
    expect(fake.count('cancel')).toBe(0);
    tty.type('\x03');
    expect(await tty.exited).toBe(0);
    expect(tty.screen().split(warning)).toHaveLength(2);
    expect(tty.screen()).not.toContain('Saved:');
  }, 30_000);

  it('Ctrl+C with nothing running quits at once', async () => {
    fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 10 });
    const tty = onTty({ ...FAST_ENV, NEMO_API_URL: fake.url });
    await tty.waitFor(/^>$/m, 'the first prompt');
    tty.type('\x03');
    expect(await tty.exited).toBe(0);
    expect(tty.screen()).not.toContain('Press Ctrl+C again');
  }, 30_000);
});
