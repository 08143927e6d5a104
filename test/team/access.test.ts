import { afterEach, describe, expect, it } from 'vitest';
import { ID_FORMS } from '../../src/core/team/spec.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import { from, PROMPT, recordingChat, say, type TeamHarness, teamHarness } from './harness.ts';

// Who may use the bot: the allow lists, the refusal and its cooldown, run-time changes by the bot's admins and
// by a group's admins, and bad input — against the real engine and the fake NemoVideo.

let h: TeamHarness;
afterEach(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('allow list', () => {
  it('a refused user reaches nothing: one polite refusal naming their id and who can grant, then silence', async () => {
    h = await teamHarness({ env: { ALLOW_LIST: 'tg:111', REFUSAL_COOLDOWN_MS: '400' } });
    const chat = recordingChat('tg:222');
    await say(h, chat, from(chat, 'tg:222', PROMPT));
    expect(chat.log).toHaveLength(1);
    expect(chat.log[0]).toMatchObject({ private: true });
    expect(chat.log[0]?.text).toBe(
      `${teamEn.refused({ userId: 'tg:222', byChat: false })}\n${teamEn.refusedQuiet}`,
    );
    expect(chat.log[0]?.text).toContain('/admin allow tg:222');
    // No reply loop, no flood: prompts, files, commands and help all go unanswered for the cooldown.
    for (const text of [PROMPT, '/credits', '/help', 'export', '/exprot'])
      await say(h, chat, from(chat, 'tg:222', text));
    expect(chat.log).toHaveLength(1);
    // Nothing at all reached NemoVideo.
    expect(h.fake.requests).toHaveLength(0);
    await sleep(450);
    await say(h, chat, from(chat, 'tg:222', '做一个视频', { locale: 'zh-CN' }));
    expect(chat.log.at(-1)?.text).toBe(
      `${teamZh.refused({ userId: 'tg:222', byChat: false })}\n${teamZh.refusedQuiet}`,
    );
    expect(h.fake.requests).toHaveLength(0);
    // The listed user goes through.
    const ok = recordingChat('tg:111');
    await say(h, ok, from(ok, 'tg:111', PROMPT));
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT]);
  });

  it('off by default: everyone may use the bot', async () => {
    h = await teamHarness();
    const chat = recordingChat('tg:-100123');
    await say(h, chat, from(chat, 'tg:5', PROMPT));
    expect(h.fake.chats).toHaveLength(1);
  });

  it('admits by user, Discord role, server or chat; a denial wins over every allowance', async () => {
    h = await teamHarness({ env: { ALLOW_LIST: 'dc-role:55555, dc-guild:77777 tg-chat:-1009 dc:31415' } });
    const guild = recordingChat('dc:300000000000000001');
    const other = recordingChat('dc:300000000000000002');
    const group = recordingChat('tg:-1009:4');
    const passes = async (chat: ReturnType<typeof recordingChat>, m: ReturnType<typeof from>) => {
      const before = h.fake.chats.length;
      await say(h, chat, m);
      return h.fake.chats.length > before;
    };
    expect(await passes(guild, from(guild, 'dc:11111', PROMPT, { roles: ['55555'], server: '12345' }))).toBe(
      true,
    );
    expect(await passes(other, from(other, 'dc:22222', 'another promo video', { server: '77777' }))).toBe(
      true,
    );
    expect(await passes(group, from(group, 'tg:9', 'a topic video please'))).toBe(true);
    const dm = recordingChat('dc:999000999');
    expect(await passes(dm, from(dm, 'dc:31415', 'make a dm video'))).toBe(true);
    const stranger = recordingChat('dc:300000000000000003');
    expect(
      await passes(stranger, from(stranger, 'dc:33333', PROMPT, { roles: ['1'], server: '12345' })),
    ).toBe(false);
    // The bot's admin denies the server: its members are refused even with an allowed role.
    const admin = recordingChat('term:local');
    await say(h, admin, from(admin, 'term:local', '/admin deny dc-guild:77777'));
    expect(admin.log.at(-1)?.text).toBe(teamEn.denied('dc-guild:77777', false));
    const late = recordingChat('dc:300000000000000004');
    const m = from(late, 'dc:44444', PROMPT, { roles: ['55555'], server: '77777' });
    expect(await passes(late, m)).toBe(false);
  });

  it('the bot’s admins change the list at run time; the changes survive a restart', async () => {
    h = await teamHarness({ env: { ADMIN_USERS: 'tg:1', ALLOW_LIST: 'tg:1' } });
    const boss = recordingChat('tg:1');
    expect(await say(h, boss, from(boss, 'tg:1', '/admin allow tg:222'))).toBe(
      teamEn.allowed('tg:222', false),
    );
    const chat = recordingChat('tg:222');
    await say(h, chat, from(chat, 'tg:222', PROMPT));
    expect(h.fake.chats).toHaveLength(1);
    // The environment's own entry can be denied at run time as well.
    await say(h, boss, from(boss, 'tg:1', '/admin deny tg:1'));
    // A new process on the same store: tg:222 still allowed; the list shows what changed.
    h.engine = h.restart();
    await say(h, chat, from(chat, 'tg:222', 'make another video'));
    expect(h.fake.chats).toHaveLength(2);
    const list = await say(h, boss, from(boss, 'tg:1', '/admin list'));
    expect(list).toBe(teamEn.listGlobal({ active: true, allow: ['tg:222'], deny: ['tg:1'], you: 'tg:1' }));
    await say(h, boss, from(boss, 'tg:1', '/admin deny tg:222'));
    await say(h, chat, from(chat, 'tg:222', 'one more video'));
    expect(h.fake.chats).toHaveLength(2);
    expect(chat.log.at(-1)?.text).toContain(teamEn.refused({ userId: 'tg:222', byChat: false }));
  });

  it('a group’s admins limit their group to listed members (and themselves); others are refused there', async () => {
    h = await teamHarness();
    const group = recordingChat('tg:-100500');
    const lead = (text: string) => from(group, 'tg:7', text, { admin: true });
    expect(await say(h, group, lead('/admin allow tg:8'))).toBe(teamEn.allowed('tg:8', true));
    await say(h, group, from(group, 'tg:8', PROMPT));
    expect(h.fake.chats).toHaveLength(1);
    await say(h, group, from(group, 'tg:9', 'make a video too'));
    expect(group.log.at(-1)?.text).toContain(teamEn.refused({ userId: 'tg:9', byChat: true }));
    await say(h, group, lead('make a video as the lead'));
    expect(h.fake.chats).toHaveLength(2);
    // The list is this group's only: elsewhere tg:9 is fine.
    const dm = recordingChat('tg:9');
    await say(h, dm, from(dm, 'tg:9', 'a private video'));
    expect(h.fake.chats).toHaveLength(3);
    expect(await say(h, group, lead('/admin deny tg:8'))).toBe(teamEn.denied('tg:8', true));
  });

  it('bad input: unknown ids, /admin by a non-admin, a group admin’s limits, a revoked admin', async () => {
    h = await teamHarness({ env: { ADMIN_USERS: 'tg:1' } });
    const boss = recordingChat('tg:1');
    const bossSays = (text: string) => say(h, boss, from(boss, 'tg:1', text));
    expect(await bossSays('/admin allow bob')).toBe(teamEn.badId('bob', ID_FORMS));
    expect(await bossSays('/admin allow')).toBe(teamEn.needId('allow'));
    expect(await bossSays('/admin admins add tg-chat:-1')).toBe(teamEn.adminUsersOnly);
    // A plain member: refused privately, in a private chat and in a group.
    const dm = recordingChat('tg:2');
    expect(await say(h, dm, from(dm, 'tg:2', '/admin allow tg:3'))).toBe(teamEn.notOperator);
    const group = recordingChat('tg:-100600');
    expect(await say(h, group, from(group, 'tg:2', '/admin allow tg:3'))).toBe(en.adminOnly);
    expect(group.log.at(-1)?.private).toBe(true);
    // A group admin: users and roles of their own group only; no quotas, no admins.
    const lead = (text: string) => say(h, group, from(group, 'tg:4', text, { admin: true }));
    expect(await lead('/admin allow tg-chat:-100600')).toBe(teamEn.chatAdminKinds);
    expect(await lead('/admin allow here')).toBe(teamEn.chatAdminKinds);
    expect(await lead('/admin quota users 1 jobs/day')).toBe(teamEn.notOperator);
    expect(await lead('/admin admins add tg:4')).toBe(teamEn.notOperator);
    // A revoked admin loses every right at once (tg:2 stays allowed as a user: the list is now active).
    expect(await bossSays('/admin allow tg:2')).toBe(teamEn.allowed('tg:2', false));
    expect(await bossSays('/admin admins add tg:2')).toBe(teamEn.adminAdded('tg:2'));
    expect(await say(h, dm, from(dm, 'tg:2', '/admin allow tg:3'))).toBe(teamEn.allowed('tg:3', false));
    expect(await bossSays('/admin admins remove tg:2')).toBe(teamEn.adminRemoved('tg:2'));
    expect(await say(h, dm, from(dm, 'tg:2', '/admin allow tg:5'))).toBe(teamEn.notOperator);
    expect(await bossSays('/admin admins remove tg:1')).toBe(teamEn.adminSelf);
    expect(await bossSays('/admin admins')).toBe(teamEn.adminsShow(['tg:1']));
    // Everything above is in the audit log, newest first.
    const audit = (await bossSays('/admin audit')) ?? '';
    const lines = audit.split('\n').slice(1);
    expect(lines[0]).toMatch(/ · tg:1 · admin-remove tg:2$/);
    expect(lines.filter((l) => l.includes(' allow ') || l.includes(' admin-'))).toHaveLength(4);
    expect(audit).toMatch(/ · tg:2 · allow tg:3\n/);
    expect(audit).toMatch(/ · tg:1 · admin-add tg:2\n/);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('a Discord user id typed as a mention, and the Chinese subcommand names', async () => {
    h = await teamHarness({ env: { ADMIN_USERS: 'dc:10101' } });
    const chat = recordingChat('dc:300000000000000001');
    const admin = (text: string) => say(h, chat, from(chat, 'dc:10101', text, { server: '1' }));
    // A slash option keeps the mention Discord's client inserted (typed text drops user mentions).
    const slash = from(chat, 'dc:10101', '/admin', {
      server: '1',
      command: { name: 'admin', arg: 'allow <@!20202>' },
    });
    expect(await say(h, chat, slash)).toBe(teamEn.allowed('dc:20202', false));
    expect(await admin('/管理 允许 <@&30303>')).toBe(teamZh.allowed('dc-role:30303', false));
    expect(await admin('/admin list')).toContain('dc-role:30303, dc:20202');
  });
});
