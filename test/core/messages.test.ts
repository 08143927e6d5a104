import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { type Core, makeCtx } from '../../src/core/context.ts';
import { errorText } from '../../src/core/errors.ts';
import type { ChatPort, Lang } from '../../src/core/ports.ts';
import type { SessionRecord } from '../../src/core/sessions.ts';
import { messages } from '../../src/i18n/index.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { NemoError } from '../../src/nemo/errors.ts';
import type { NemoErrorCode } from '../../src/nemo/types.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';

// Every NemoError code has a message in both languages, with what the user needs (the registration link with
// the anon id, the formats, the size limit, the operator wording) and never a raw code or a token.

const CODES: NemoErrorCode[] = [
  'token_invalid',
  'session_not_found',
  'no_credits',
  'unsupported_file',
  'file_too_large',
  'client_id_missing',
  'export_blocked',
  'rate_limited',
  'trial_limit',
  'backend',
  'unreachable',
  'timeout',
  'bad_response',
  'stream_broken',
  'render_failed',
  'render_timeout',
  'aborted',
];

const chat: ChatPort = {
  address: 'term:x',
  videoLimitBytes: 1,
  send: async () => ({ id: '1' }),
  edit: async () => {},
  sendVideo: async () => {},
  sendPrivate: async () => ({ id: '1' }),
};

function ctxFor(lang: Lang, env: Record<string, string> = {}, record: Partial<SessionRecord> = {}) {
  const config = parseConfig({ MAX_UPLOAD_MB: '123', ...env });
  const secrets = new Secrets();
  const core = { config, logger: createLogger({ level: 'silent', secrets }) } as unknown as Core;
  const rec: SessionRecord = { v: 1, address: 'term:x', clientId: 'c', jobs: [], createdAt: 0, ...record };
  return makeCtx(core, chat, rec, lang);
}

const err = (code: NemoErrorCode, extra: { userId?: string } = {}) =>
  new NemoError({ code, kind: 'refused', ...extra }, `internal ${code}`);

describe('error messages', () => {
  it.each(CODES.flatMap((c) => (['en', 'zh'] as const).map((l) => [c, l] as const)))(
    '%s in %s',
    (code, lang) => {
      const text = errorText(ctxFor(lang), err(code));
      expect(text.length).toBeGreaterThan(5);
      expect(text).not.toContain(code);
      expect(text).not.toContain('internal');
      if (lang === 'zh') expect(text).toMatch(/\p{Script=Han}/u);
      else expect(text).not.toMatch(/\p{Script=Han}/u);
    },
  );

  it('gives distinct texts for distinct codes', () => {
    for (const lang of ['en', 'zh'] as const) {
      const texts = new Set(CODES.map((c) => errorText(ctxFor(lang), err(c))));
      expect(texts.size).toBe(CODES.length);
    }
  });

  it('2001 anonymous: the registration link carries the anon id (record first, else the error)', () => {
    const fromRecord = errorText(
      ctxFor('en', {}, { userId: 'anon_rec42' }),
      err('no_credits', { userId: 'x' }),
    );
    expect(fromRecord).toContain('https://nemovideo.com/register?bind=anon_rec42');
    const fromError = errorText(ctxFor('zh'), err('no_credits', { userId: 'anon_err7' }));
    expect(fromError).toContain('https://nemovideo.com/register?bind=anon_err7');
  });

  it('2001 with the operator token: tell the operator, no registration link', () => {
    for (const lang of ['en', 'zh'] as const) {
      const text = errorText(
        ctxFor(lang, { NEMO_TOKEN: 'nmv_usr_operator_token' }, { userId: 'anon_1' }),
        err('no_credits'),
      );
      expect(text).not.toContain('register?bind');
      expect(text).toMatch(lang === 'en' ? /operator/ : /管理员/);
    }
  });

  it('4001 lists the formats, 4002 names the limit, 402 says it is not about credits', () => {
    expect(errorText(ctxFor('en'), err('unsupported_file'))).toMatch(/mp4, mov.*aac/);
    expect(errorText(ctxFor('zh'), err('unsupported_file'))).toMatch(/mp4, mov.*aac/);
    expect(errorText(ctxFor('en'), err('file_too_large'))).toMatch(/123 MB.*[Cc]ompress/);
    expect(errorText(ctxFor('zh'), err('file_too_large'))).toMatch(/123 MB.*压缩/);
    expect(errorText(ctxFor('en'), err('export_blocked'))).toMatch(/not about credits.*upgrade/);
    expect(errorText(ctxFor('en'), err('trial_limit'))).toContain('NEMO_TOKEN');
    expect(errorText(ctxFor('en'), err('rate_limited'))).toMatch(/try again in a minute/);
    expect(errorText(ctxFor('en'), err('unreachable'))).toMatch(/can’t reach NemoVideo/);
  });

  it('a non-Nemo error is a generic apology', () => {
    expect(errorText(ctxFor('en'), new Error('secret detail'))).toBe(en.internal);
    expect(errorText(ctxFor('zh'), new TypeError('x'))).toBe(zh.internal);
  });
});

describe('messages', () => {
  it('has the same keys in both languages', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(zh.errors).sort()).toEqual(Object.keys(en.errors).sort());
  });

  it('picks the language', () => {
    expect(messages('en').connecting).toBe('Connecting…');
    expect(messages('zh').connecting).toBe('正在连接…');
    expect(messages('en').stillWorking()).toBe('⏳ Still working...');
    expect(messages('zh').stillWorking()).toBe('⏳ 仍在处理中...');
    expect(messages('en').stillWorking(150)).toBe('⏳ Still working... (2 min)');
    expect(messages('en').queued(2)).toContain('Queued (2 ahead)');
  });

  it('formats credits with thousands separators', () => {
    expect(en.credits({ available: 4321, frozen: 7, total: 4328 })).toMatch(
      /4,321 available.*7 frozen.*4,328 total/,
    );
    expect(zh.credits({ available: 4321, frozen: 7, total: 4328 })).toMatch(/可用 4,321.*冻结 7.*总计 4,328/);
  });
});
