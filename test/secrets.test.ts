// The secrets registry: every kind of secret is redacted, per-chat values come and go with their scopes, and
// the registry does not grow with the chats served.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, Secrets } from '../src/secrets.ts';

const TELEGRAM = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const DISCORD = 'MTA1NzQ1.GhXyZa.abcdefghijklmnopqrstuvwxyz012345';
const OPERATOR = 'nmv_usr_operator_0123456789abcdef';
const WEBHOOK = 'whsec-0123456789';

describe('redaction', () => {
  it('catches every kind of secret, wherever it sits in the text', () => {
    const s = new Secrets();
    for (const v of [TELEGRAM, DISCORD, OPERATOR, WEBHOOK]) s.add(v);
    const chat = s.scope();
    const token = `nmv_usr_${randomUUID().replace(/-/g, '')}`;
    const clientId = randomUUID();
    chat.add(token);
    chat.add(clientId);
    const text = [
      `bot ${TELEGRAM} and ${DISCORD}`,
      `{"authorization":"Bearer ${OPERATOR}","x-client-id":"${clientId}"}`,
      `?secret=${WEBHOOK}&token=${token}`,
      `glued:${token}${clientId}x${token}`,
      `https://api.telegram.org/file/bot${TELEGRAM}/documents/file_7.mp4 and`,
      // A file URL of a token this process never registered is caught by its shape.
      `"https://tg.local/file/bot42:other-token/photos/p.jpg"`,
    ].join('\n');
    const out = s.redact(text);
    for (const secret of [
      TELEGRAM,
      DISCORD,
      OPERATOR,
      WEBHOOK,
      token,
      clientId,
      '42:other-token',
      'file_7',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('https://api.telegram.org/file/bot[REDACTED] and');
    expect(out).toContain('"https://tg.local/file/bot[REDACTED]"');
    expect(out).toContain('glued:[REDACTED][REDACTED]x[REDACTED]');
    expect(out.split('\n')[1]).toBe('{"authorization":"Bearer [REDACTED]","x-client-id":"[REDACTED]"}');
  });

  it('redacts overlapping values whole and leaves ordinary text alone', () => {
    const s = new Secrets();
    const scope = s.scope();
    scope.add('abcdefgh12345678');
    scope.add('12345678zzzzzzzz');
    s.add('short');
    expect(s.redact('xx abcdefgh12345678zzzzzzzz yy')).toBe('xx [REDACTED] yy');
    expect(s.redact('short words stay; abcdefgh1234567 is not a secret')).toBe(
      'short words stay; abcdefgh1234567 is not a secret',
    );
  });

  it('the logger redacts every line', () => {
    const s = new Secrets();
    const scope = s.scope();
    const clientId = randomUUID();
    scope.add(clientId);
    let out = '';
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    createLogger({ level: 'info', secrets: s, destination: sink }).info({ clientId }, `client ${clientId}`);
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain(clientId);
  });
});

describe('the registry stays bounded', () => {
  it('per-chat values leave with their scope (unless another scope still holds them)', () => {
    const s = new Secrets();
    s.add(TELEGRAM);
    const a = s.scope();
    const b = s.scope();
    const shared = randomUUID();
    a.add(shared);
    b.add(shared);
    a.add('nmv_usr_only_in_a_000');
    expect(s.size).toBe(3);
    a.clear();
    expect(s.has('nmv_usr_only_in_a_000')).toBe(false);
    expect(s.has(shared)).toBe(true);
    expect(s.redact(shared)).toBe('[REDACTED]');
    b.clear();
    expect(s.has(shared)).toBe(false);
    expect(s.redact(shared)).toBe(shared);
    expect(s.size).toBe(1);
  });

  it('Telegram file URLs are never registered one by one; very short values not at all', () => {
    const s = new Secrets();
    for (let i = 0; i < 1_000; i++)
      s.add(`https://api.telegram.org/file/bot${TELEGRAM}/videos/file_${i}.mp4`);
    s.add('1234567');
    expect(s.size).toBe(0);
    expect(s.redact(`x https://api.telegram.org/file/bot${TELEGRAM}/videos/file_5.mp4`)).toBe(
      'x https://api.telegram.org/file/bot[REDACTED]',
    );
  });

  it('10,000 chats that come and go leave only the live ones', () => {
    const s = new Secrets();
    s.add(OPERATOR);
    const live: Array<ReturnType<Secrets['scope']>> = [];
    let last = '';
    for (let i = 0; i < 10_000; i++) {
      const scope = s.scope();
      last = `nmv_usr_${randomUUID().replace(/-/g, '')}`;
      scope.add(randomUUID());
      scope.add(last);
      live.push(scope);
      if (live.length > 100) live.shift()?.clear();
    }
    expect(s.size).toBe(1 + 2 * 100);
    expect(s.redact(`t=${last}`)).toBe('t=[REDACTED]');
  });
});
