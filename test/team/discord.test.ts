import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import { type Harness, realEngine, startHarness } from '../discord/harness.ts';
import { ALICE } from '../fakes/discord/users.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { KEY } from './harness.ts';

// Team controls end to end on Discord: real discord.js in the real adapter, the real engine and NemoVideo
// client, the fake Discord (slash commands with subcommands, ephemeral replies, the /token modal) and the
// fake NemoVideo.

const GENERAL = '300000000000000001';
const ROLE = '555000000000000001';
const ADMIN = { id: '400000000000000009', username: 'boss', globalName: 'Boss' };
const BOB = { id: '400000000000000002', username: 'bob', globalName: 'Bob' };
const TOKEN = 'nmv_usr_discord_users_own_token_0123456789';
const EPHEMERAL = 64;

let h: Harness | undefined;
let nemo: FakeNemo | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (h) {
    // The token never reached a log line or anything posted anywhere.
    expect(h.logs.filter((l) => l.includes(TOKEN))).toEqual([]);
    expect(h.fake.messages.filter((m) => m.history.some((t) => t.includes(TOKEN)))).toEqual([]);
  }
  await h?.close();
  await nemo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = nemo = dir = undefined;
});

async function start(env: Record<string, string> = {}): Promise<Harness> {
  nemo = await startFakeNemo({
    heartbeatMs: 20,
    generateMs: 60,
    replyMs: 10,
    renderPolls: 2,
    operatorTokens: [TOKEN],
  });
  dir = await mkdtemp(join(tmpdir(), 'dc-team-'));
  const fakeNemo = nemo;
  h = await startHarness({
    env: {
      NEMO_API_URL: fakeNemo.url,
      EXPORT_DIR: dir,
      HEARTBEAT_INTERVAL_MS: '0',
      RENDER_POLL_INTERVAL_MS: '10',
      ALLOW_LIST: `dc-role:${ROLE}`,
      ADMIN_USERS: `dc:${ADMIN.id}`,
      QUOTA_USER: '1 jobs/day',
      BOT_SECRET_KEY: KEY,
      ...env,
    },
    engine: realEngine,
  });
  return h;
}

const replies = (x: Harness, i: Parameters<Harness['fake']['repliesTo']>[0]) =>
  x.fake.repliesTo(i).filter((m) => !m.deleted && m.content);

describe('team controls on Discord', () => {
  it('an ephemeral refusal (once, then no answer and no hanging “thinking…”), the quota, /usage', async () => {
    const { fake } = await start();
    const first = fake.slash('video', { prompt: 'a sunrise over the sea' }, { user: BOB, locale: 'zh-CN' });
    const refusal = await fake.waitFor(() => replies(h as Harness, first)[0]);
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toBe(
      `${teamZh.refused({ userId: `dc:${BOB.id}`, byChat: false })}\n${teamZh.refusedQuiet}`,
    );
    const again = fake.slash('video', { prompt: 'a sunset' }, { user: BOB });
    // Nothing posted, and the deferred “thinking…” placeholder is removed.
    await fake.waitFor(
      () => again.ackType === 5 && again.originalId && !fake.messages.some((m) => m.id === again.originalId),
    );
    expect(fake.repliesTo(again)).toEqual([]);
    expect(nemo?.requests).toHaveLength(0);

    // A member with the allowed role: one job, then the quota.
    const member = { user: ALICE, roles: [ROLE] };
    const v = fake.slash('video', { prompt: 'a sunrise over the sea' }, member);
    await fake.waitFor(() => replies(h as Harness, v).some((m) => m.content.includes('ready')));
    const over = fake.slash('video', { prompt: 'a second video' }, member);
    const refused = await fake.waitFor(() =>
      replies(h as Harness, over).find((m) => m.content.startsWith('⛔')),
    );
    expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refused.content).toMatch(/^⛔ You’ve used 1 of 1 jobs this day \(your limit\)/);
    expect(nemo?.chats).toHaveLength(1);

    // The bot's admin: /admin allow as a real subcommand, then /usage, both ephemeral.
    const allow = fake.slash('admin', { id: `<@${BOB.id}>` }, { user: ADMIN, sub: 'allow' });
    const allowed = await fake.waitFor(() => replies(h as Harness, allow)[0]);
    expect(allowed.content).toBe(teamEn.allowed(`dc:${BOB.id}`, false));
    expect(allowed.flags & EPHEMERAL).toBe(EPHEMERAL);
    const usage = fake.slash('usage', { period: 'day' }, { user: ADMIN });
    const report = await fake.waitFor(() => replies(h as Harness, usage)[0]);
    expect(report.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(report.content).toContain(`• Alice (dc:${ALICE.id}): 1 jobs (0 exports), 10 credits, 0 failed`);
    expect(report.content).toContain(`• dc-chat:${GENERAL}: 1 jobs`);
    // A member's /admin is refused, privately.
    const nope = fake.slash('admin', { id: 'dc:1234567' }, { ...member, sub: 'deny' });
    const no = await fake.waitFor(() => replies(h as Harness, nope)[0]);
    expect(no.content).toBe('Only an admin of this chat can do that.');
    expect(no.flags & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('the slash definitions carry /admin’s subcommands with options, /usage and /token', async () => {
    const { fake } = await start();
    await fake.waitFor(() => fake.commands.size > 0);
    const list = [...fake.commands.values()].flat() as Array<{ name: string; options?: unknown[] }>;
    const admin = list.find((c) => c.name === 'admin') as {
      options: Array<{
        type: number;
        name: string;
        name_localizations: object;
        options: Array<{ name: string; required: boolean }>;
      }>;
    };
    expect(admin.options.map((o) => [o.type, o.name])).toEqual([
      [1, 'list'],
      [1, 'allow'],
      [1, 'deny'],
      [1, 'quota'],
      [1, 'admins'],
      [1, 'audit'],
      [1, 'help'],
    ]);
    expect(admin.options[1]?.options).toMatchObject([{ name: 'id', required: true }]);
    expect(admin.options[1]?.name_localizations).toEqual({ 'zh-CN': '允许' });
    expect(list.map((c) => c.name)).toEqual(expect.arrayContaining(['usage', 'token']));
  });

  it('/token opens a modal; the submitted token is never shown, links the DM and is used', async () => {
    const { fake } = await start({ ALLOW_LIST: '' });
    const open = fake.slash('token', {}, { dm: true, user: BOB });
    await fake.waitFor(() => open.ackType === 9);
    expect(open.modal).toMatchObject({ custom_id: 'token', title: teamEn.tokenModalTitle });
    const submit = fake.submitModal(open, { token: TOKEN }, { dm: true, user: BOB });
    const done = await fake.waitFor(() => replies(h as Harness, submit)[0]);
    expect(done.content).toBe(teamEn.tokenLinked('private'));
    expect(done.flags & EPHEMERAL).toBe(EPHEMERAL);
    const v = fake.slash('video', { prompt: 'a sunrise over the sea' }, { dm: true, user: BOB });
    await fake.waitFor(() => replies(h as Harness, v).some((m) => m.content.includes('ready')));
    expect(nemo?.requests.filter((r) => r.path === '/run_sse').map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
    ]);
    // In a server channel, a member's modal is refused (only its admins link a token there).
    const member = fake.slash('token', {}, { user: BOB });
    await fake.waitFor(() => member.ackType === 9);
    const tried = fake.submitModal(member, { token: TOKEN }, { user: BOB });
    const refused = await fake.waitFor(() => replies(h as Harness, tried)[0]);
    expect(refused.content).toBe(teamEn.tokenAdminsOnly);
    const clear = fake.slash('token', { action: 'clear' }, { dm: true, user: BOB });
    expect((await fake.waitFor(() => replies(h as Harness, clear)[0])).content).toBe(teamEn.tokenCleared);
  });
});
