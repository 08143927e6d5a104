import { afterEach, describe, expect, it } from 'vitest';
import { periodEnd } from '../../src/core/team/spec.ts';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import type { StatePort } from '../../src/store/index.ts';
import { from, PROMPT, recordingChat, say, type TeamHarness, teamHarness } from './harness.ts';

// Quotas: reserve before spend (no overspending by concurrent messages), what counts, the over-quota message,
// run-time changes, and a store outage while checking (fail closed).

let h: TeamHarness;
afterEach(async () => {
  await h?.close();
});

const tomorrow = () =>
  `${new Date(periodEnd('day', Date.now())).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

describe('quotas', () => {
  it('20 concurrent messages with 1 unit left: exactly 1 reaches NemoVideo', async () => {
    h = await teamHarness({ env: { QUOTA_USER: '3 jobs/day' } });
    const first = recordingChat('tg:-1000');
    await say(h, first, from(first, 'tg:42', PROMPT));
    await say(h, first, from(first, 'tg:42', 'add a title "Candles"'));
    expect(h.fake.chats).toHaveLength(2);
    // Twenty groups at once (one group's messages pass its door in turn: these race for real).
    const chats = Array.from({ length: 20 }, (_, i) => recordingChat(`tg:-${1001 + i}`));
    await Promise.all(chats.map((c, i) => h.engine.handle(from(c, 'tg:42', `make video number ${i}`), c)));
    await h.engine.idle();
    expect(h.fake.chats).toHaveLength(3);
    const refusals = chats.flatMap((c) => c.log).filter((p) => p.text.startsWith('⛔'));
    expect(refusals).toHaveLength(19);
    expect(refusals[0]?.text).toBe(
      teamEn.overQuota({
        scope: 'user',
        unit: 'jobs',
        period: 'day',
        limit: 3,
        used: 3,
        resetsAt: tomorrow(),
      }),
    );
    expect(refusals.every((r) => r.private)).toBe(true);
  });

  it('counts agent turns that did work and exports; a chat without work gives its unit back', async () => {
    h = await teamHarness({ env: { QUOTA_USER: '2 jobs/day' } });
    const chat = recordingChat('tg:42');
    const user = (text: string, locale?: string) =>
      say(h, chat, from(chat, 'tg:42', text, locale ? { locale } : {}));
    await user('hello?');
    await user('what can you do?');
    expect(h.fake.chats).toHaveLength(2); // chatter: no tools, no credits, not counted
    await user(PROMPT);
    await user('export');
    expect(chat.texts().some((t) => t.startsWith('✅ Rendered'))).toBe(true);
    expect(await user('make another one')).toBe(
      teamEn.overQuota({
        scope: 'user',
        unit: 'jobs',
        period: 'day',
        limit: 2,
        used: 2,
        resetsAt: tomorrow(),
      }),
    );
    expect(await user('再做一个视频', 'zh-CN')).toBe(
      teamZh.overQuota({
        scope: 'user',
        unit: 'jobs',
        period: 'day',
        limit: 2,
        used: 2,
        resetsAt: tomorrow(),
      }),
    );
    expect(h.fake.chats).toHaveLength(3);
    expect(h.fake.count('render')).toBe(1);
    // Read-only commands are not jobs: still answered.
    expect(await user('/credits')).toMatch(/^💳 Credits/);
  });

  it('a chat quota, a global cap and a credits limit; the bot’s admin changes them at run time', async () => {
    h = await teamHarness({
      env: {
        ADMIN_USERS: 'tg:1',
        QUOTA_CHAT: '1 jobs/week',
        QUOTA_GLOBAL: '3 jobs/month',
        QUOTA_USER: '10 credits/month',
      },
    });
    const group = recordingChat('tg:-2000');
    await say(h, group, from(group, 'tg:5', PROMPT));
    expect(await say(h, group, from(group, 'tg:6', 'make one more video'))).toMatch(
      /^⛔ This chat has used 1 of 1 jobs this week/,
    );
    // A user's 10 credits are spent by one generation (the fake charges 10).
    const dm = recordingChat('tg:5');
    expect(await say(h, dm, from(dm, 'tg:5', 'a private video please'))).toMatch(
      /^⛔ You’ve used 10 of 10 credits this month/,
    );
    const boss = recordingChat('tg:1');
    const set = (text: string) => say(h, boss, from(boss, 'tg:1', text));
    expect(await set('/admin quota tg:5 off')).toBe(teamEn.quotaSet('tg:5', teamEn.quotaNone));
    expect(await set('/admin quota here 5 jobs/day')).toBe(teamEn.quotaSet('tg-chat:1', '5 jobs/day'));
    await say(h, dm, from(dm, 'tg:5', 'a private video please'));
    expect(h.fake.chats).toHaveLength(2);
    // The global cap (3 a month) is shared by everyone.
    const other = recordingChat('tg:-3000');
    await say(h, other, from(other, 'tg:7', PROMPT));
    const third = recordingChat('tg:-4000');
    expect(await say(h, third, from(third, 'tg:8', 'and another video'))).toMatch(
      /^⛔ The bot has used 3 of 3 jobs this month/,
    );
    expect(await set('/admin quota all 20 次/月')).toBe(
      teamEn.quotaSet(teamEn.quotaWho.all ?? 'all', '20 jobs/month'),
    );
    expect(await set('/admin quota users lots')).toBe(teamEn.badQuota('20 jobs/day, 500 credits/month'));
    expect(await set('/admin quota nobody 1 jobs/day')).toBe(
      teamEn.badQuota('20 jobs/day, 500 credits/month'),
    );
    expect(await set('/admin quota tg:5 default')).toBe(teamEn.quotaSet('tg:5', 'default'));
    const overview = (await set('/admin quota')) ?? '';
    expect(overview).toContain('• every user: 10 credits/month');
    expect(overview).toContain('• every group chat: 1 jobs/week');
    expect(overview).toContain('• the whole bot: 20 jobs/month');
    expect(overview).toContain('• tg-chat:1: 5 jobs/day');
    expect(h.fake.chats).toHaveLength(3);
  });

  it('a store outage while checking fails closed: a clear message, nothing sent, nothing spent', async () => {
    let down: 'reserve' | 'members' | undefined;
    const failing = (inner: StatePort): StatePort =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (prop === down) return Promise.reject(new Error('ECONNRESET: store gone'));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    h = await teamHarness({ env: { QUOTA_USER: '5 jobs/day', ALLOW_LIST: 'tg:42' }, wrap: failing });
    const chat = recordingChat('tg:42');
    down = 'reserve';
    expect(await say(h, chat, from(chat, 'tg:42', PROMPT))).toBe(teamEn.storeDown);
    expect(chat.log.at(-1)?.private).toBe(true);
    down = 'members';
    expect(await say(h, chat, from(chat, 'tg:42', PROMPT, { locale: 'zh' }))).toBe(teamZh.storeDown);
    expect(h.fake.requests).toHaveLength(0);
    down = undefined;
    await say(h, chat, from(chat, 'tg:42', PROMPT));
    expect(h.fake.chats).toHaveLength(1);
    // Nothing was counted for the refused attempts: 4 of 5 left.
    const key = (await h.state.counter(
      `team:q:user:tg:42:jobs:${new Date().toISOString().slice(0, 10)}`,
    )) as number;
    expect(key).toBe(1);
  });

  it('the chat’s own token is its own money: no quota there', async () => {
    const token = 'nmv_usr_team_own_token_abcdef0123456789';
    h = await teamHarness({
      env: { QUOTA_USER: '1 jobs/day', BOT_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') },
      fake: { operatorTokens: [token] },
    });
    const chat = recordingChat('tg:42');
    await say(h, chat, from(chat, 'tg:42', PROMPT));
    expect(await say(h, chat, from(chat, 'tg:42', 'add music'))).toMatch(/^⛔/);
    await say(h, chat, from(chat, 'tg:42', `/token ${token}`));
    await say(h, chat, from(chat, 'tg:42', 'make a second video'));
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT, 'make a second video']);
  });
});
