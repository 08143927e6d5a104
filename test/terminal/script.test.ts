import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAST_ENV, runBot } from './child.ts';

// issue 3's "Done when" lines, run as real `npm start` processes (tsx src/main.ts) against the fake backend:
// printf '<script>' | NEMO_API_URL=<fake> STORE_URL=memory:// npm start

let fake: FakeNemo;
let exportDir: string;

beforeEach(async () => {
  fake = await startFakeNemo({
    heartbeatMs: 20,
    generateMs: 150,
    replyMs: 20,
    renderPolls: 2,
    credits: { available: 4321, frozen: 7 },
  });
  exportDir = await mkdtemp(path.join(tmpdir(), 'bot-exports-'));
});
afterEach(async () => {
  await fake.close();
  await rm(exportDir, { recursive: true, force: true });
});

const available = () => fake.options.credits.available.toLocaleString('en-US');
const env = () => ({ ...FAST_ENV, NEMO_API_URL: fake.url, STORE_URL: 'memory://', EXPORT_DIR: exportDir });

/** The `Saved: <path> (<size> MB)` line: exactly one, its file under EXPORT_DIR, its bytes the fake's MP4. */
async function expectSavedMp4(stdout: string): Promise<void> {
  const saved = [...stdout.matchAll(/^Saved: (.+\.mp4) \(([\d.]+) MB\)$/gm)];
  expect(saved, stdout).toHaveLength(1);
  const file = saved[0]?.[1] ?? '';
  expect(path.isAbsolute(file)).toBe(true);
  expect(path.dirname(file)).toBe(exportDir);
  expect((await readFile(file)).equals(fake.mp4())).toBe(true);
  expect((await readdir(exportDir)).filter((f) => f.endsWith('.mp4'))).toEqual([path.basename(file)]);
}

/** Logs are pino JSON on stderr; stdout is the chat only. */
function expectNoLogLines(stdout: string): void {
  for (const line of stdout.split('\n'))
    expect(line, 'a JSON log line on stdout').not.toMatch(/^\s*\{.*"level"/);
}

describe('a script piped into npm start', () => {
  it('English: reply, timeline, saved MP4, balance; exit 0', async () => {
    const script = 'make a 30-second promo for my candle shop\nstatus\nexport\ncredits\n';
    const { code, stdout, stderr } = await runBot(env(), script);
    expect(code, stderr).toBe(0);
    // The agent got the prompt once; the keywords never reached it.
    expect(fake.chats.map((c) => c.text)).toEqual(['make a 30-second promo for my candle shop']);
    expect(fake.duplicateChats).toEqual([]);
    expect(stdout).toMatch(/Timeline \(\d+ tracks?\):/);
    await expectSavedMp4(stdout);
    // The balance the fake holds after the generation spent some.
    const balance = `Credits: ${available()} available`;
    expect(stdout).toContain(balance);
    expect(fake.count('render')).toBe(1);
    // Script order: the timeline comes before the saved path, the balance after it.
    expect(stdout.indexOf('Timeline')).toBeLessThan(stdout.indexOf('Saved: '));
    expect(stdout.indexOf(balance)).toBeGreaterThan(stdout.indexOf('Saved: '));
    expectNoLogLines(stdout);
    // …they are on stderr.
    expect(stderr).toMatch(/^\{.*"msg":"render started"/m);
  });

  it('Chinese: the same script answers in Chinese and creates a Chinese session', async () => {
    const script = '给我的蜡烛店做一个30秒的宣传视频\n状态\n导出\n积分\n';
    const { code, stdout, stderr } = await runBot(env(), script);
    expect(code, stderr).toBe(0);
    expect(fake.chats.map((c) => c.text)).toEqual(['给我的蜡烛店做一个30秒的宣传视频']);
    const session = fake.requests.find((r) => r.path.includes('/with-session/'));
    expect(JSON.parse(session?.body.toString() ?? '{}').language).toMatch(/^zh/);
    expect(stdout).toMatch(/时间线（\d+ 条轨道）：/);
    await expectSavedMp4(stdout);
    expect(stdout).toContain(`积分：可用 ${available()}`);
    // Every line the bot wrote (except the machine-readable Saved line) carries Chinese.
    const lines = stdout.split('\n').filter((l) => l.trim() && !l.startsWith('Saved: '));
    for (const line of lines)
      expect(line, line).toMatch(/\p{Script=Han}|^[\s\d.,:%/\-–—()[\]"“”…⏳✅❌🎬]+$/u);
    expectNoLogLines(stdout);
  });

  it('never prints an operator token, even at LOG_LEVEL=debug', async () => {
    const token = 'nmv_usr_operator_secret_0123456789abcdef';
    fake.options.operatorTokens = [token];
    const { code, stdout, stderr } = await runBot(
      { ...env(), NEMO_TOKEN: token, LOG_LEVEL: 'debug' },
      'make a promo\nstatus\nexport\ncredits\n',
    );
    expect(code, stderr).toBe(0);
    // The token was really used…
    const auth = fake.requests.map((r) => r.headers.authorization);
    expect(auth).toContain(`Bearer ${token}`);
    expect(fake.count('token')).toBe(0);
    // …and is nowhere in what the process wrote, though debug logs were on.
    expect(stderr.length).toBeGreaterThan(0);
    for (const secret of fake.issuedTokens) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
    expect(stderr).not.toContain('operator_secret');
  });
});
