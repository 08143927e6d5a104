import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { actionSpec } from '../../src/i18n/actions.ts';
import { loopEn } from '../../src/i18n/loop.en.ts';
import { ALICE } from '../fakes/discord/users.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type Harness, realEngine, startHarness } from './harness.ts';

// The everyday loop on Discord, end to end (real discord.js, adapter, engine and client against the fakes):
// result buttons, modals (Edit…, a long brief, brand notes), the message command, /settings options,
// /show, mentions of the requester, and the registration of a user-installable app.

const GENERAL = '300000000000000001';
const BOB = { id: '400000000000000002', username: 'bob', globalName: 'Bob' };
const PROMPT = 'make a 30-second promo for my candle shop';

let h: Harness | undefined;
let nemo: FakeNemo | undefined;
let dir: string | undefined;

afterEach(async () => {
  await h?.close();
  await nemo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = nemo = dir = undefined;
});

async function start(): Promise<Harness> {
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 60, replyMs: 20, renderPolls: 2 });
  dir = await mkdtemp(join(tmpdir(), 'dc-loop-'));
  const env = {
    NEMO_API_URL: nemo.url,
    EXPORT_DIR: dir,
    HEARTBEAT_INTERVAL_MS: '0',
    RENDER_POLL_INTERVAL_MS: '10',
  };
  h = await startHarness({
    env,
    engine: realEngine,
  });
  return h;
}

const ids = (components: unknown[]): string[] =>
  (components as Array<{ components: Array<{ custom_id: string }> }>).flatMap((r) =>
    r.components.map((b) => b.custom_id),
  );

/** A reply of `i` whose buttons include one of `action`; its message and that button's custom id. */
async function buttonOf(x: Harness, i: Parameters<Harness['fake']['repliesTo']>[0], action: string) {
  const m = await x.fake.waitFor(() =>
    x.fake.repliesTo(i).find((r) => ids(r.components).some((c) => c.startsWith(`nemo:${action}|`))),
  );
  return { message: m, customId: ids(m.components).find((c) => c.startsWith(`nemo:${action}|`))! };
}

test('registers a user-installable app: every command in guilds, DMs and private channels, plus the message command', async () => {
  const { fake } = await start();
  const list = fake.commands.get('global') as Array<Record<string, unknown>>;
  for (const c of list) {
    expect(c.integration_types, String(c.name)).toEqual([0, 1]);
    expect(c.contexts, String(c.name)).toEqual([0, 1, 2]);
  }
  expect(list.find((c) => c.type === 3)).toMatchObject({
    name: 'Make a video from this',
    name_localizations: { 'zh-CN': '用这条消息做视频' },
  });
  const settings = list.find((c) => c.name === 'settings') as {
    options: Array<{ name: string; type: number }>;
  };
  expect(settings.options.map((o) => [o.name, o.type])).toEqual([
    ['aspect', 3],
    ['length', 4],
    ['language', 3],
    ['delivery', 3],
    ['notes', 3],
    ['reset', 5],
  ]);
});

test('a result carries the actions; a press sends the agent that instruction, visibly', async () => {
  const { fake } = await start();
  const first = fake.slash('video', { prompt: PROMPT });
  const { message, customId } = await buttonOf(h!, first, 'vertical');
  expect(ids(message.components).map((c) => c.split('|')[0])).toEqual([
    'nemo:export',
    'nemo:again',
    'nemo:edit',
    'nemo:vertical',
    'nemo:square',
    'nemo:landscape',
    'nemo:shorter',
    'nemo:longer',
  ]);
  const before = nemo!.chats.length;
  const p = fake.press(customId, message, { user: BOB });
  await fake.waitFor(() =>
    fake.repliesTo(p).some((m) => m.content.includes('📱 Vertical 9:16 — asked by Bob')),
  );
  await fake.waitFor(() => nemo!.chats.length > before);
  expect(nemo!.chats.slice(before).map((c) => c.text)).toEqual([
    actionSpec('vertical').instruction!.en(PROMPT),
  ]);
});

test('Edit… opens a modal; what is typed there goes to the agent and is shown to the channel', async () => {
  const { fake } = await start();
  const first = fake.slash('video', { prompt: PROMPT });
  const { message, customId } = await buttonOf(h!, first, 'edit');
  const p = fake.press(customId, message);
  await fake.waitFor(() => p.ackType === 9);
  expect(p.modal).toMatchObject({
    custom_id: customId,
    title: loopEn.editTitle,
    components: [{ type: 18, label: loopEn.editLabel, component: { type: 4, style: 2, max_length: 4000 } }],
  });
  const before = nemo!.chats.length;
  const s = fake.submitModal(p, { text: 'make the title red' });
  await fake.waitFor(() =>
    fake.repliesTo(s).some((m) => m.content === loopEn.editBy('Alice', 'make the title red')),
  );
  await fake.waitFor(() => nemo!.chats.length > before);
  expect(nemo!.chats.slice(before).map((c) => c.text)).toEqual(['make the title red']);
});

test('/video without a prompt takes a long brief in a modal (up to 4,000 characters)', async () => {
  const { fake } = await start();
  const v = fake.slash('video');
  await fake.waitFor(() => v.ackType === 9);
  expect(v.modal?.components[0]?.component?.max_length).toBe(4000);
  const brief = `make a promo: ${'warm candle light, '.repeat(220)}`.slice(0, 4000);
  fake.submitModal(v, { text: brief });
  await fake.waitFor(() => nemo!.chats.length > 0);
  expect(nemo!.chats[0]?.text).toBe(brief);
});

test('"Make a video from this" uses the chosen message as the brief', async () => {
  const { fake } = await start();
  const i = fake.messageCommand('Make a video from this', {
    content: 'Spring sale: 20% off every candle this weekend',
    author: BOB,
  });
  await fake.waitFor(() => nemo!.chats.length > 0);
  expect(nemo!.chats[0]?.text).toBe('Spring sale: 20% off every candle this weekend');
  expect(i.ackType).toBe(5);
});

test('/settings with options and the brand-notes modal; /show 999 and a stale button answered clearly', async () => {
  const { fake } = await start();
  const perms = { permissions: 1n << 5n }; // Manage Server
  const s = fake.slash('settings', { aspect: '9:16', length: 15 }, perms);
  await fake.waitFor(() => fake.repliesTo(s).some((m) => m.content.includes('Aspect ratio: 9:16')));
  const menu = fake.slash('settings', {}, perms);
  const shown = await fake.waitFor(() =>
    fake.repliesTo(menu).find((m) => ids(m.components).includes('nemo:notes')),
  );
  const press = fake.press('nemo:notes', shown, perms);
  await fake.waitFor(() => press.ackType === 9);
  expect(press.modal?.components[0]?.component?.max_length).toBe(500);
  const sub = fake.submitModal(press, { text: 'Calm, blue, hand-poured' }, perms);
  await fake.waitFor(() =>
    fake.repliesTo(sub).some((m) => m.content.includes('Brand notes: Calm, blue, hand-poured')),
  );
  // A member without Manage Server may look, not change.
  const member = fake.slash('settings', { aspect: '1:1' });
  await fake.waitFor(() => fake.repliesTo(member).some((m) => m.content.includes('Only an admin')));

  const show = fake.slash('show', { number: 999 });
  await fake.waitFor(() => fake.repliesTo(show).some((m) => m.content === loopEn.historyEmpty));

  const first = fake.slash('video', { prompt: PROMPT });
  const { message, customId } = await buttonOf(h!, first, 'again');
  const reset = fake.slash('reset', {}, perms);
  await fake.waitFor(() => fake.repliesTo(reset).length > 0);
  const stale = fake.press(customId, message);
  const answer = await fake.waitFor(() =>
    fake.repliesTo(stale).find((m) => m.content === loopEn.staleButton),
  );
  expect(answer.flags & 64).toBe(64); // ephemeral: only the presser sees it
});

test('the video goes to the channel mentioning whoever asked, by message or by slash command', async () => {
  const { fake } = await start();
  fake.message(PROMPT, { mentionsBot: true, channel: GENERAL, user: BOB });
  await fake.waitFor(() => nemo!.chats.length > 0);
  await h!.deps.engine.idle();
  fake.message('export', { mentionsBot: true, channel: GENERAL, user: BOB });
  const video = await fake.waitFor(() => fake.channelMessages(GENERAL).find((m) => m.files.length > 0));
  expect(video.content.startsWith(`<@${BOB.id}>`)).toBe(true);
  const post = fake.calls.find((c) => c.method === 'POST' && c.files.length > 0);
  expect((post?.body as { allowed_mentions?: unknown } | undefined)?.allowed_mentions).toEqual({
    parse: [],
    users: [BOB.id],
  });
  expect(ids(video.components).map((c) => c.split('|')[0])).toContain('nemo:again');

  // The first export has finished (a second one while it runs would be a double tap, refused).
  await h!.deps.engine.idle();
  fake.slash('export', {}, { user: ALICE });
  // From an interaction too: a webhook message takes no nonce, so the video goes to the channel (main's rule).
  const own = await fake.waitFor(() => fake.channelMessages(GENERAL).filter((m) => m.files.length > 0)[1]);
  expect(own.content.startsWith(`<@${ALICE.id}>`)).toBe(true);
});
