import { afterEach, describe, expect, it } from 'vitest';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { preflight } from '../../src/core/preflight.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, type Logger, Secrets } from '../../src/secrets.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAKE_FAST, FAST, type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Answers an operator can act on (issue 10): a rejected NEMO_TOKEN is not "try again in a moment", an
// unreachable backend in the terminal names NEMO_API_URL and `npm run dev`, a NEMO_API_URL with a stray path
// is called wrong. And the start-up credits check logs a rejected token once, never failing the start.

let h: Harness | undefined;
let fake: FakeNemo | undefined;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = fake = undefined;
});

const PROMPT = 'make a 30-second promo for my candle shop';
const PROMPT_ZH = '给我的蜡烛店做一个30秒的宣传视频';
const WRONG = 'nmv_op_this_token_is_wrong_42';

describe('the operator token rejected', () => {
  it('says so, in both languages, privately, never the token, and never "try again"', async () => {
    h = await harness({ env: { NEMO_TOKEN: WRONG } });
    const chat = recordingChat('tg:-100');
    const msg = inbound(chat, PROMPT);
    msg.platform = 'telegram';
    await h.engine.handle(msg, chat);
    const zhMsg = inbound(chat, PROMPT_ZH, { locale: 'zh-CN' });
    zhMsg.platform = 'telegram';
    await h.engine.handle(zhMsg, chat);
    const told = chat.log.filter((p) => /rejected|拒绝/.test(p.text));
    expect(told.map((p) => p.text)).toEqual([
      en.errors.token_invalid({ operator: true, platform: 'telegram', formats: '', maxMb: 0 }),
      zh.errors.token_invalid({ operator: true, platform: 'telegram', formats: '', maxMb: 0 }),
    ]);
    expect(told.every((p) => p.kind === 'private')).toBe(true);
    for (const p of chat.log) {
      expect(p.text).not.toContain(WRONG);
      expect(p.text).not.toMatch(/try again in a moment|稍后再试/);
    }
    expect(h.fake.chats).toEqual([]);
  });

  it('in the terminal it names NEMO_TOKEN and what to do', async () => {
    h = await harness({ env: { NEMO_TOKEN: WRONG } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'credits'), chat);
    const said = chat.texts().join('\n');
    expect(said).toContain('NemoVideo rejected NEMO_TOKEN');
    expect(said).not.toContain(WRONG);
  });
});

describe('where NemoVideo is', () => {
  it('unreachable, in the terminal: names NEMO_API_URL and npm run dev (EN and ZH)', async () => {
    h = await harness({ env: { NEMO_API_URL: 'http://127.0.0.1:1' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, PROMPT_ZH), chat);
    const [enText, zhText] = chat.texts().filter((t) => t.startsWith('📡'));
    for (const t of [enText, zhText]) {
      expect(t).toContain('NEMO_API_URL');
      expect(t).toContain('npm run dev');
      expect(t).not.toContain('127.0.0.1');
    }
    expect(zhText).toMatch(/\p{Script=Han}/u);
  });

  it('unreachable on a platform: no operator words for the users of a chat app', async () => {
    h = await harness({ env: { NEMO_API_URL: 'http://127.0.0.1:1' } });
    const chat = recordingChat('dc:1');
    const msg = inbound(chat, PROMPT);
    msg.platform = 'discord';
    await h.engine.handle(msg, chat);
    const t = chat.texts().find((x) => x.startsWith('📡'));
    expect(t).toBe(en.errors.unreachable({ operator: false, platform: 'discord', formats: '', maxMb: 0 }));
    expect(t).not.toContain('npm');
  });

  it('a NEMO_API_URL with a path that 404s: the URL is wrong, not "try again"', async () => {
    fake = await startFakeNemo(FAKE_FAST);
    h = await harness({ env: { NEMO_API_URL: `${fake.url}/wrong` } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'credits'), chat);
    const wrong = chat.texts().filter((t) => t.includes('404'));
    expect(wrong).toHaveLength(2);
    expect(wrong[0]).toContain('NEMO_API_URL');
    expect(wrong[0]).toMatch(/looks wrong/);
    expect(fake.requests.map((r) => r.path).every((p) => p.startsWith('/wrong/'))).toBe(true);
  });
});

describe('the start-up credits check', () => {
  const logger = (lines: string[]): Logger =>
    createLogger({
      level: 'info',
      secrets: new Secrets(),
      destination: { write: (s: string) => void lines.push(s) } as unknown as NodeJS.WritableStream,
    });
  const client = (url: string, secrets = new Secrets()) =>
    createNemoClient({
      baseUrl: url,
      version: '0',
      secrets,
      logger: createLogger({ level: 'silent', secrets }),
      timing: nemoTimingFromConfig(parseConfig(FAST)),
    });

  it('a rejected token: one error line naming NEMO_TOKEN, never the token', async () => {
    fake = await startFakeNemo(FAKE_FAST);
    const lines: string[] = [];
    const secrets = new Secrets();
    secrets.add(WRONG);
    const log = createLogger({
      level: 'info',
      secrets,
      destination: { write: (s: string) => void lines.push(s) } as unknown as NodeJS.WritableStream,
    });
    const result = await preflight(client(fake.url, secrets), WRONG, log, new AbortController().signal);
    expect(result).toBe('token_rejected');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 50, code: 'token_invalid' });
    expect(lines[0]).toContain('NEMO_TOKEN was rejected');
    expect(lines[0]).not.toContain(WRONG);
  });

  it('a good token: one info line; unreachable: a warning, not a failure; a wrong URL: named', async () => {
    fake = await startFakeNemo({ ...FAKE_FAST, operatorTokens: ['nmv_op_good_token_1234'] });
    const lines: string[] = [];
    const signal = new AbortController().signal;
    expect(await preflight(client(fake.url), 'nmv_op_good_token_1234', logger(lines), signal)).toBe('ok');
    expect(await preflight(client('http://127.0.0.1:1'), 'nmv_op_x_123456', logger(lines), signal)).toBe(
      'unreachable',
    );
    expect(await preflight(client(`${fake.url}/v2`), 'nmv_op_good_token_1234', logger(lines), signal)).toBe(
      'url_wrong',
    );
    const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
    expect(levels).toEqual([30, 40, 50]);
    expect(lines[2]).toContain('NEMO_API_URL');
  });
});
