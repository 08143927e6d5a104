import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { teamEn } from '../../src/i18n/team.en.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, runBot } from '../terminal/child.ts';
import { KEY } from './harness.ts';

// Team controls in the terminal chat, as a real `npm start` process on a real SQLite file: the terminal's user
// runs the bot (always admitted, sees all usage), and quotas and costs apply to it like to anyone.

const TOKEN = 'nmv_usr_terminal_own_token_0123456789abcd';
let fake: FakeNemo;
let dir: string;
beforeEach(async () => {
  fake = await startFakeNemo({
    heartbeatMs: 20,
    generateMs: 80,
    replyMs: 10,
    renderPolls: 2,
    operatorTokens: [TOKEN],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'term-team-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('team controls in the terminal', () => {
  it('quota refusal, /usage, /admin, and an own token kept out of the store file and the logs', async () => {
    const file = path.join(dir, 'bot.sqlite');
    const script = [
      'make a 30-second promo for my candle shop',
      'make another video',
      '/usage',
      '/admin quota',
      `/token ${TOKEN}`,
      'make another video',
      '/admin audit',
      '',
    ].join('\n');
    const { code, stdout, stderr } = await runBot(
      {
        ...FAST_ENV,
        LOG_LEVEL: 'trace',
        NEMO_API_URL: fake.url,
        STORE_URL: `sqlite://${file}`,
        EXPORT_DIR: dir,
        QUOTA_USER: '1 jobs/day',
        BOT_SECRET_KEY: KEY,
      },
      script,
      30_000,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^⛔ You’ve used 1 of 1 jobs this day \(your limit\)\. It resets .* UTC\./m);
    expect(stdout).toContain('📊 Usage this day');
    expect(stdout).toContain('• you (term:local): 1 jobs (0 exports), 10 credits, 0 failed');
    expect(stdout).toContain('• term-chat:local: 1 jobs (0 exports), 10 credits, 0 failed');
    expect(stdout).toContain('• every user: 1 jobs/day');
    expect(stdout).toContain(teamEn.tokenLinked('private'));
    expect(stdout).toMatch(/ · term:local · token-link term-chat:local/);
    // The prompt over quota never reached NemoVideo; the one after /token did, on the user's own account.
    expect(fake.chats.map((c) => c.text)).toEqual([
      'make a 30-second promo for my candle shop',
      'make another video',
    ]);
    expect(fake.requests.filter((r) => r.path === '/run_sse').at(-1)?.headers.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
    // The token is in neither the logs (trace level) nor the store file, in any encoding.
    expect(stderr.length).toBeGreaterThan(1_000);
    expect(stderr).not.toContain(TOKEN);
    const bytes = await readFile(file);
    for (const form of [TOKEN, Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('hex')])
      expect(bytes.includes(form)).toBe(false);
    expect(bytes.includes('team:token:term-chat:local')).toBe(true);
  }, 40_000);
});
