import { afterEach, describe, expect, it } from 'vitest';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import type { TgChat, TgUser } from '../fakes/telegram/server.ts';
import { type E2E, startE2E } from '../telegram/e2e-harness.ts';
import { KEY } from './harness.ts';

// Team controls end to end on Telegram: real grammY in the real adapter, the real engine and NemoVideo client,
// against the fake Bot API and the fake NemoVideo.

const TOKEN = 'nmv_usr_telegram_users_own_token_0123456789';
let e: E2E | undefined;
afterEach(async () => {
  if (!e) return;
  try {
    // No token of any kind in a log line (the harness logs unredacted) or in anything the bot sent.
    const sent = e.tg.calls.map((c) => JSON.stringify(c.params)).join('\n');
    for (const secret of [TOKEN, e.tg.token.split(':')[1] ?? '']) {
      expect(e.logs.filter((l) => l.includes(secret))).toEqual([]);
      expect(sent.includes(secret)).toBe(false);
    }
  } finally {
    await e.close();
    e = undefined;
  }
});

const PROMPT = 'generate a 30-second promotional video for my candle shop';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dm(x: E2E, id: number, lang = 'en'): { chat: TgChat; user: TgUser } {
  const user = x.tg.user(id, { lang, name: `User${id}` });
  return { chat: x.tg.privateChat(user), user };
}

const start = (env: Record<string, string> = {}) =>
  startE2E({
    nemo: { operatorTokens: [TOKEN] },
    env: {
      ALLOW_LIST: 'tg:111',
      ADMIN_USERS: 'tg:999',
      QUOTA_USER: '1 jobs/day',
      BOT_SECRET_KEY: KEY,
      ...env,
    },
  });

describe('team controls on Telegram', () => {
  it('refusal (once, then silence), quota, /usage for the admin', async () => {
    e = await start();
    const stranger = dm(e, 222, 'zh-hans');
    e.tg.sendText(stranger.chat, stranger.user, PROMPT);
    const refusal = await e.waitText(stranger.chat.id, /tg:222/);
    expect(refusal).toBe(`${teamZh.refused({ userId: 'tg:222', byChat: false })}\n${teamZh.refusedQuiet}`);
    e.tg.sendText(stranger.chat, stranger.user, '/help');
    e.tg.sendText(stranger.chat, stranger.user, PROMPT);
    await sleep(150);
    await e.engine.idle();
    expect(e.texts(stranger.chat.id)).toHaveLength(1);
    expect(e.nemo.requests).toHaveLength(0);

    const member = dm(e, 111);
    e.tg.sendText(member.chat, member.user, PROMPT);
    await e.waitText(member.chat.id, /ready/);
    await e.engine.idle();
    e.tg.sendText(member.chat, member.user, 'make another one');
    const over = await e.waitText(member.chat.id, /^⛔/);
    expect(over).toMatch(
      /^⛔ You’ve used 1 of 1 jobs this day \(your limit\)\. It resets \d{4}-\d\d-\d\d 00:00 UTC\./,
    );
    expect(e.nemo.chats).toHaveLength(1);

    const admin = dm(e, 999);
    e.tg.sendText(admin.chat, admin.user, '/usage');
    const report = await e.waitText(admin.chat.id, /^📊/);
    expect(report).toContain('• User111 (tg:111): 1 jobs (0 exports), 10 credits, 0 failed');
    expect(report).toContain('• tg-chat:111: 1 jobs');
    e.tg.sendText(admin.chat, admin.user, '/admin allow tg:222');
    await e.waitText(admin.chat.id, /tg:222 may use the bot/);
    // A member sees their own private chat's usage only; /admin is refused.
    e.tg.sendText(member.chat, member.user, '/usage');
    expect(await e.waitText(member.chat.id, /^📊/)).toMatch(/^📊 Usage this day \(since .*\) in this chat\n/);
    e.tg.sendText(member.chat, member.user, '/admin list');
    await e.waitText(member.chat.id, new RegExp(teamEn.notOperator.slice(0, 20)));
  });

  it('added to a group that is not allowed: says so once and leaves; an allowed adder keeps it', async () => {
    e = await start();
    const stranger = e.tg.user(333, { name: 'Mallory' });
    const group = e.tg.group({ title: 'Elsewhere' });
    e.tg.addBot(group, stranger);
    const leave = await e.tg.waitFor('leaveChat');
    expect(leave.params.chat_id).toBe(group.id);
    expect(e.texts(group.id)).toEqual([teamEn.groupNotAllowed(`tg-chat:${group.id}`)]);
    // A team member adds it to the team's group: it stays.
    const team = e.tg.group({ title: 'Marketing' });
    e.tg.addBot(team, e.tg.user(111), 'administrator');
    await sleep(200);
    expect(e.tg.calls.filter((c) => c.method === 'leaveChat')).toHaveLength(1);
    expect(e.texts(team.id)).toEqual([]);
  });

  it('LEAVE_UNALLOWED_GROUPS=false: says so and stays', async () => {
    e = await start({ LEAVE_UNALLOWED_GROUPS: 'false' });
    const group = e.tg.group();
    e.tg.addBot(group, e.tg.user(444));
    await e.waitText(group.id, /I won’t answer here/);
    await sleep(100);
    expect(e.tg.calls.filter((c) => c.method === 'leaveChat')).toHaveLength(0);
  });

  it('/token in a private chat: the message carrying it is deleted at once; the chat then uses it', async () => {
    e = await start({ ALLOW_LIST: '' });
    const user = dm(e, 555);
    const update = e.tg.sendText(user.chat, user.user, `/token ${TOKEN}`);
    const del = await e.tg.waitFor('deleteMessage');
    expect(del.params).toMatchObject({
      chat_id: user.chat.id,
      message_id: (update.message as { message_id: number }).message_id,
    });
    await e.waitText(user.chat.id, /^🔑 Done/);
    e.tg.sendText(user.chat, user.user, PROMPT);
    await e.waitText(user.chat.id, /ready/);
    const bearers = e.nemo.requests.filter((r) => r.path === '/run_sse').map((r) => r.headers.authorization);
    expect(bearers).toEqual([`Bearer ${TOKEN}`]);
    // /token clear is not a secret: nothing deleted for it.
    e.tg.sendText(user.chat, user.user, '/token clear');
    await e.waitText(user.chat.id, /Token removed/);
    expect(e.tg.calls.filter((c) => c.method === 'deleteMessage')).toHaveLength(1);
    // The bot's texts never carried the token.
    expect(e.texts(user.chat.id).some((t) => t.includes(TOKEN))).toBe(false);
  });
});
