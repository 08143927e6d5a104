import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordOptions } from '../../src/adapters/discord/index.ts';
import { dmChannelId } from '../fakes/discord/payloads.ts';
import type { FakeDiscordOptions, FakeUser } from '../fakes/discord/types.ts';
import { ALICE } from '../fakes/discord/users.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type Harness, realEngine, startHarness } from './harness.ts';

// Private things stay private (issue 10): the /open claim link reaches only the person who asked — ephemeral
// in a live interaction, a DM (REST: create the DM channel, then post) from an @mention or once the
// interaction token is dead, and when the user takes no DMs (50007) the channel is told where to get it.

const GENERAL = '300000000000000001';
const BOT = '100000000000000001';
const CLAIM = /https:\/\/nemovideo\.com\/workspace\/claim\?ct=\S+/;
const EPHEMERAL = 64;
const BOB: FakeUser = { id: '400000000000000002', username: 'bob', dmsClosed: true };

let h: Harness | undefined;
let nemo: FakeNemo | undefined;
let dir: string | undefined;

afterEach(async () => {
  await h?.close();
  await nemo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = nemo = dir = undefined;
});

async function start(o: { fake?: Partial<FakeDiscordOptions>; adapter?: DiscordOptions } = {}) {
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 60, replyMs: 10, replyText: 'Draft ready.' });
  dir = await mkdtemp(join(tmpdir(), 'dc-private-'));
  const url = nemo.url;
  h = await startHarness({
    env: { NEMO_API_URL: url, EXPORT_DIR: dir, HEARTBEAT_INTERVAL_MS: '0' },
    ...(o.fake ? { fake: o.fake } : {}),
    ...(o.adapter ? { adapter: o.adapter } : {}),
    engine: realEngine,
  });
  return h;
}

/** A project in #general, made by `user` through an @mention. */
async function project(x: Harness, user: FakeUser = ALICE): Promise<void> {
  x.fake.message('make a 10-second promo for my candle shop', { mentionsBot: true, user });
  await x.fake.waitFor(() => x.fake.channelMessages(GENERAL).find((m) => m.content.includes('Draft ready.')));
}

const publicWithLink = (x: Harness) =>
  x.fake.messages.filter(
    (m) => CLAIM.test(m.content) && (m.flags & EPHEMERAL) === 0 && m.channelId === GENERAL,
  );

describe('private delivery on Discord', () => {
  it('/open as a slash command: an ephemeral reply, nothing public', async () => {
    const x = await start();
    await project(x);
    const i = x.fake.slash('open');
    const reply = await x.fake.waitFor(() => x.fake.repliesTo(i).find((m) => CLAIM.test(m.content)));
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(publicWithLink(x)).toEqual([]);
  });

  it('"/open" in an @mention reply goes by DM (create DM channel, then post), not to the channel', async () => {
    const x = await start();
    await project(x);
    x.fake.message('/open', { mentionsBot: true });
    const dm = dmChannelId(ALICE.id);
    const sent = await x.fake.waitFor(() =>
      x.fake.messages.find((m) => m.channelId === dm && CLAIM.test(m.content)),
    );
    expect(sent.content).toMatch(/for you only/);
    const calls = x.fake.calls.map((c) => `${c.method} ${c.path}`);
    expect(calls).toContain('POST /users/@me/channels');
    expect(x.fake.calls.find((c) => c.path === '/users/@me/channels')?.body).toEqual({
      recipient_id: ALICE.id,
    });
    expect(publicWithLink(x)).toEqual([]);
  });

  it('a user who takes no DMs (50007): the channel says where to get it, and no link is posted anywhere', async () => {
    const x = await start();
    await project(x, BOB);
    x.fake.message('/open', { mentionsBot: true, user: BOB });
    const hint = await x.fake.waitFor(() =>
      x.fake.channelMessages(GENERAL).find((m) => m.content.includes('private chat')),
    );
    expect(hint.content).toBe(
      `🔒 That answer is for you only, and I can’t message you privately yet: open a private chat with <@${BOT}> and send /open there.`,
    );
    const refused = x.fake.calls.find((c) => c.path === `/channels/${dmChannelId(BOB.id)}/messages`);
    expect(refused?.status).toBe(403);
    expect(x.fake.messages.filter((m) => CLAIM.test(m.content))).toEqual([]);
  });

  it('after the interaction token expired: a DM, never the channel', async () => {
    const x = await start({ fake: { interactionTtlMs: 1 }, adapter: { interactionTtlMs: 1 } });
    await project(x);
    const i = x.fake.slash('open');
    const dm = dmChannelId(ALICE.id);
    await x.fake.waitFor(() => x.fake.messages.find((m) => m.channelId === dm && CLAIM.test(m.content)));
    expect(publicWithLink(x)).toEqual([]);
    expect(x.fake.repliesTo(i).filter((m) => CLAIM.test(m.content))).toEqual([]);
  });
});
