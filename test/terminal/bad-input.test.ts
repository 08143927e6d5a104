import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, ROOT, runBot, startBot, until } from './child.ts';

// Issue 10 through the real process (`npm start`, and `npm run dev` with its in-process fake): bad values stop
// it with one line and exit 2, bad lines get a clear answer and lose nothing, a rejected NEMO_TOKEN is logged
// once at start.

let dir: string;
let fake: FakeNemo | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bot-bad-'));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await rm(dir, { recursive: true, force: true });
});

const oneLine = (stderr: string) => stderr.split('\n').filter(Boolean);

describe('bad values stop the start with one line (exit 2)', () => {
  it.each([
    ['EXPORT_DIR is a file', (d: string) => ({ EXPORT_DIR: path.join(d, 'a-file') }), 'EXPORT_DIR'],
    ['EXPORT_DIR under /sys', () => ({ EXPORT_DIR: '/sys/exports' }), 'EXPORT_DIR'],
    ['a SQLite store under /proc', () => ({ STORE_URL: 'sqlite:///proc/self/bot.sqlite' }), 'STORE_URL'],
    ['MAX_UPLOAD_MB=0', () => ({ MAX_UPLOAD_MB: '0' }), 'MAX_UPLOAD_MB'],
  ])('%s', async (_what, env, name) => {
    await writeFile(path.join(dir, 'a-file'), 'x');
    const { code, stdout, stderr } = await runBot(
      { STORE_URL: 'memory://', EXPORT_DIR: dir, ...env(dir) },
      'make a promo\n',
    );
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    const lines = oneLine(stderr);
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).not.toMatch(/\bat \S+:\d+|^\{/);
  });
});

describe('a script with careless lines', () => {
  it('answers each clearly, sends nothing to the agent, and exits 0', async () => {
    fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 10 });
    await mkdir(path.join(dir, 'clips'));
    await writeFile(path.join(dir, 'my clip.mp4'), 'x');
    await writeFile(path.join(dir, 'empty.png'), '');
    await writeFile(path.join(dir, 'setup.png'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]));
    const script = [
      '\u200b\u200b',
      '/',
      '//',
      'x'.repeat(1024 * 1024),
      `/upload ${dir}/clips`,
      `/upload ${dir}/my clip.mp4 make it short`,
      `/upload ${dir}/empty.png`,
      `/upload ${dir}/setup.png`,
      '/upload ftp://files.example.com/clip.mp4',
      '/upload https://ann:hunter2@files.example.com/clip.mp4',
      '/upload https://files.example.com/a%zz.mp4',
      'credits\u200b',
    ].join('\n');
    const { code, stdout, stderr } = await runBot(
      {
        ...FAST_ENV,
        NEMO_API_URL: fake.url,
        STORE_URL: 'memory://',
        EXPORT_DIR: dir,
        MAX_PROMPT_CHARS: '8000',
      },
      `${script}\n`,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(en.help(en.helpExamples).split('\n')[0]);
    expect(stdout.split(en.unknownCommand('')).length - 1).toBe(2);
    expect(stdout).toContain(en.promptTooLong(1024 * 1024, 8000));
    expect(stdout).toContain(`📁 ${dir}/clips is a directory`);
    expect(stdout).toContain(`A path with spaces needs quotes: /upload "${dir}/my clip.mp4"`);
    expect(stdout).toContain(en.attachmentEmpty('empty.png'));
    expect(stdout).toMatch(/"setup\.png" isn’t a video, image or audio file \(its content is EXE\)/);
    expect(stdout).toContain(en.urlScheme('ftp'));
    expect(stdout).toContain(en.urlCredentials);
    expect(stdout).toContain(en.urlMalformed('https://files.example.com/a%zz.mp4'));
    expect(stdout).toMatch(/Credits: /);
    expect(`${stdout}${stderr}`).not.toContain('hunter2');
    expect(fake.chats).toEqual([]);
    expect(fake.count('upload')).toBe(0);
  });

  it('npm run dev survives a malformed escape in an /upload link (its fake runs in the same process)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, EXPORT_DIR: dir, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.stdin.end('/upload https://files.example.com/a%zz.mp4\ncredits\n');
    const code = await exited;
    expect(code).toBe(0);
    expect(out).toContain(en.urlMalformed('https://files.example.com/a%zz.mp4'));
    expect(out).toMatch(/Credits: /);
  });
});

describe('the operator token rejected', () => {
  it('is logged once at start (no token in it), users are told, and the bot keeps running', async () => {
    fake = await startFakeNemo({ heartbeatMs: 20, generateMs: 50, replyMs: 10 });
    const token = 'nmv_op_not_a_valid_token_0042';
    const bot = startBot({
      ...FAST_ENV,
      NEMO_API_URL: fake.url,
      NEMO_TOKEN: token,
      STORE_URL: 'memory://',
      EXPORT_DIR: dir,
    });
    await until(() => /NEMO_TOKEN was rejected/.test(bot.stderr()), 10_000, 'the start-up log line');
    bot.child.stdin?.end('make a promo\n');
    const { code } = await bot.exited;
    expect(code, bot.stderr()).toBe(0);
    expect(bot.stderr().match(/NEMO_TOKEN was rejected/g)).toHaveLength(1);
    expect(bot.stdout()).toContain('NemoVideo rejected NEMO_TOKEN');
    expect(`${bot.stdout()}${bot.stderr()}`).not.toContain(token);
  });
});
