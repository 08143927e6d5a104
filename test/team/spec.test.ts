import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';
import {
  formatQuota,
  parsePrincipal,
  parsePrincipals,
  parseQuota,
  periodEnd,
  periodKey,
  periodStart,
} from '../../src/core/team/spec.ts';
import { runBot } from '../terminal/child.ts';

// The syntax of ids and quotas, shared by the environment and the admin commands; malformed settings stop
// the bot at start with one line naming the variable.

describe('ids', () => {
  it('reads every kind, canonical and lower-cased, and Discord mentions', () => {
    expect(parsePrincipal('tg:123')).toEqual({ kind: 'user', id: 'tg:123' });
    expect(parsePrincipal(' DC:400000000000000001 ')).toEqual({ kind: 'user', id: 'dc:400000000000000001' });
    expect(parsePrincipal('tg-chat:-1001234567890')).toEqual({ kind: 'chat', id: 'tg-chat:-1001234567890' });
    expect(parsePrincipal('dc-chat:300000000000000001')?.kind).toBe('chat');
    expect(parsePrincipal('dc-role:55555')?.kind).toBe('role');
    expect(parsePrincipal('dc-guild:77777')?.kind).toBe('guild');
    expect(parsePrincipal('<@12345>')).toEqual({ kind: 'user', id: 'dc:12345' });
    expect(parsePrincipal('<@&12345>')).toEqual({ kind: 'role', id: 'dc-role:12345' });
    expect(parsePrincipal('<#12345>')).toEqual({ kind: 'chat', id: 'dc-chat:12345' });
  });

  it('refuses what names nothing: unknown prefixes, a Telegram chat written as a user, bad digits', () => {
    for (const bad of [
      'bob',
      '123',
      'tg:',
      'tg:-100123',
      'dc:12',
      'dc-role:abc',
      'slack:U1',
      'tg-chat:x',
      '@alice',
    ])
      expect(parsePrincipal(bad), bad).toBeUndefined();
    expect(parsePrincipals('tg:1, dc:12345 nope,,tg-chat:-5')).toEqual({
      ok: [
        { kind: 'user', id: 'tg:1' },
        { kind: 'user', id: 'dc:12345' },
        { kind: 'chat', id: 'tg-chat:-5' },
      ],
      bad: ['nope'],
    });
  });
});

describe('quotas', () => {
  it('reads limits in English and Chinese; off is no limit; formats back', () => {
    expect(parseQuota('20 jobs/day, 500 credits/month')).toEqual([
      { amount: 20, unit: 'jobs', period: 'day' },
      { amount: 500, unit: 'credits', period: 'month' },
    ]);
    expect(parseQuota('1 job / week; 3 credit per day')).toEqual([
      { amount: 1, unit: 'jobs', period: 'week' },
      { amount: 3, unit: 'credits', period: 'day' },
    ]);
    expect(parseQuota('20 次/天，500 积分/月')).toEqual([
      { amount: 20, unit: 'jobs', period: 'day' },
      { amount: 500, unit: 'credits', period: 'month' },
    ]);
    expect(parseQuota('off')).toEqual([]);
    expect(parseQuota('')).toEqual([]);
    expect(formatQuota(parseQuota('5 jobs/d,9 credits/w') ?? [])).toBe('5 jobs/day, 9 credits/week');
  });

  it('refuses malformed strings', () => {
    for (const bad of [
      'lots',
      '20',
      'jobs/day',
      '20 jobs',
      '20 videos/day',
      '-1 jobs/day',
      '1.5 jobs/day',
      '20 jobs/year',
      '2 jobs/day, 3 jobs/day',
      '99999999999 jobs/day',
    ])
      expect(parseQuota(bad), bad).toBeUndefined();
  });

  it('periods are UTC days, weeks from Monday, and calendar months', () => {
    const at = Date.UTC(2026, 0, 7, 15, 30); // a Wednesday
    expect(periodKey('day', at)).toBe('2026-01-07');
    expect(periodKey('week', at)).toBe('w2026-01-05');
    expect(periodKey('month', at)).toBe('2026-01');
    expect(periodStart('week', Date.UTC(2026, 0, 4))).toBe(Date.UTC(2025, 11, 29)); // a Sunday
    expect(periodEnd('day', at)).toBe(Date.UTC(2026, 0, 8));
    expect(periodEnd('week', at)).toBe(Date.UTC(2026, 0, 12));
    expect(periodEnd('month', Date.UTC(2026, 11, 31, 23, 59))).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('configuration', () => {
  it('takes the team variables, canonical', () => {
    const c = parseConfig({
      ADMIN_USERS: 'TG:1 dc:12345',
      ALLOW_LIST: 'tg-chat:-100, dc-role:55555',
      QUOTA_USER: '20 jobs/day',
      QUOTA_GLOBAL: '1000 credits/month',
      BOT_SECRET_KEY: Buffer.alloc(32).toString('base64'),
      LEAVE_UNALLOWED_GROUPS: 'false',
    });
    expect(c.ADMIN_USERS).toEqual(['tg:1', 'dc:12345']);
    expect(c.ALLOW_LIST).toEqual(['tg-chat:-100', 'dc-role:55555']);
    expect(c.QUOTA_USER).toEqual([{ amount: 20, unit: 'jobs', period: 'day' }]);
    expect(c.QUOTA_CHAT).toEqual([]);
    expect(c.LEAVE_UNALLOWED_GROUPS).toBe(false);
    expect(parseConfig({}).LEAVE_UNALLOWED_GROUPS).toBe(true);
    expect(parseConfig({}).REFUSAL_COOLDOWN_MS).toBe(600_000);
  });

  it.each([
    ['QUOTA_USER', 'lots'],
    ['QUOTA_CHAT', '5 jobs'],
    ['QUOTA_GLOBAL', '1 jobs/day, 2 jobs/day'],
    ['ADMIN_USERS', 'tg-chat:-100'],
    ['ALLOW_LIST', 'tg:1 somebody'],
    ['BOT_SECRET_KEY', Buffer.alloc(16).toString('base64')],
    ['USAGE_TOKEN', 'short'],
  ])('%s=%s is refused with one line naming the variable, never its value', (name, value) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name}: `));
    expect(message).not.toContain('\n');
    if (value.length > 6) expect(message).not.toContain(value);
  });

  it('npm start with a malformed quota exits 2 with one line', async () => {
    const { code, stderr, stdout } = await runBot(
      { QUOTA_USER: '20 videos a day', STORE_URL: 'memory://' },
      '',
    );
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: QUOTA_USER: not a quota; expected e.g. "20 jobs/day, 500 credits/month" or off',
    ]);
    expect(stdout).toBe('');
  }, 30_000);
});
