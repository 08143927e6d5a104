import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_ENV, runBot, startBot, until } from './child.ts';

// Startup behaviour of the real process: a bad configuration value, an unreachable backend, the HTTP server.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bot-start-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startup', () => {
  it('a bad configuration value: exit 2 and exactly one clear line on stderr, nothing on stdout', async () => {
    const { code, stdout, stderr } = await runBot(
      { HEARTBEAT_INTERVAL_MS: 'abc', STORE_URL: 'memory://', EXPORT_DIR: dir },
      'make a promo\n',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/HEARTBEAT_INTERVAL_MS/);
    expect(lines[0]).not.toMatch(/\bat \S+:\d+|Error:|^\{/);
  });

  it('a bad STORE_URL names the variable and not its value', async () => {
    const { code, stderr } = await runBot({ STORE_URL: 'postgres://user:hunter2@db/x', EXPORT_DIR: dir }, '');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/STORE_URL/);
    expect(stderr).not.toContain('hunter2');
  });

  it('starts with NemoVideo unreachable and answers a prompt with a clear error, exit 0', async () => {
    const { code, stdout, stderr } = await runBot(
      { ...FAST_ENV, NEMO_API_URL: 'http://127.0.0.1:1', STORE_URL: 'memory://', EXPORT_DIR: dir },
      'make a promo\n',
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/reach NemoVideo/i);
    expect(stdout).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at \S+:\d+/);
  });

  it('serves /healthz in terminal mode when PORT is set, and stops on SIGTERM with exit 0', async () => {
    const bot = startBot({ ...FAST_ENV, PORT: '0', STORE_URL: 'memory://', EXPORT_DIR: dir });
    // PORT=0 binds an ephemeral port; the bound port is in the startup log line.
    await until(() => /"port":\d+/.test(bot.stderr()), 10_000, 'the http server');
    const port = /"port":(\d+)/.exec(bot.stderr())?.[1];
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.stderr()).toBe(0);
  });

  it('does not serve HTTP in terminal mode when PORT is not set (two terminals, no EADDRINUSE)', async () => {
    const { code, stderr } = await runBot({ ...FAST_ENV, STORE_URL: 'memory://', EXPORT_DIR: dir }, '');
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/http server listening/);
  });
});
