import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { videoNonce } from '../../src/adapters/discord/channel-port.ts';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { createEngine } from '../../src/core/engine.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { MemoryState } from '../../src/store/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/server.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type Harness, startHarness } from './harness.ts';

// At-least-once delivery on Discord, without a second copy: every attempt to post a render's video carries a
// nonce derived from the render id with `enforce_nonce`, so when a process dies before it heard Discord's
// answer and the next one posts again, Discord returns the first message instead of creating another (the fake
// does what Discord does). Two processes are two engines + adapters on one store and one fake Discord.

const GENERAL = '300000000000000001';
const MESSAGES = /^POST \/channels\/\d+\/messages$/;

let fake: FakeDiscord | undefined;
let nemo: FakeNemo | undefined;
let dir: string | undefined;
const harnesses: Harness[] = [];

afterEach(async () => {
  // The fake first: the first "process" still waits for an answer that will never come.
  await fake?.close();
  for (const h of harnesses.splice(0)) await h.close().catch(() => {});
  await nemo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  fake = nemo = dir = undefined;
});

async function setup() {
  fake = await startFakeDiscord();
  nemo = await startFakeNemo({ heartbeatMs: 20, generateMs: 60, replyMs: 20, renderPolls: 2 });
  dir = await mkdtemp(join(tmpdir(), 'dc-delivery-'));
  const store = new Keyv();
  const state = new MemoryState();
  const env = {
    NEMO_API_URL: nemo.url,
    EXPORT_DIR: dir,
    HEARTBEAT_INTERVAL_MS: '0',
    RENDER_POLL_INTERVAL_MS: '10',
    RATE_LIMIT_RETRY_MS: '10',
  };
  /** One bot process: an engine and a Discord adapter on the shared store and the shared fake. */
  const boot = async () => {
    const h = await startHarness({
      env,
      ...(fake ? { fakeDiscord: fake } : {}),
      engine: ({ config, logger, secrets }) =>
        createEngine({
          config,
          logger,
          secrets,
          store,
          state,
          nemo: createNemoClient({
            baseUrl: config.NEMO_API_URL,
            version: '0.0.0-test',
            secrets,
            logger,
            timing: nemoTimingFromConfig(config),
          }),
        }),
    });
    harnesses.push(h);
    return h;
  };
  return { boot, state };
}

const videoMessages = (f: FakeDiscord) => f.channelMessages(GENERAL).filter((m) => m.files.length > 0);

describe('a video post cut by a crash', () => {
  it.each([
    ['after Discord created the message (its answer lost)', 'after'],
    ['before Discord created it (the upload cut)', 'before'],
  ] as const)('%s: the next process posts again, and the channel has exactly one video', async (_n, when) => {
    const { boot, state } = await setup();
    const f = fake as FakeDiscord;
    const first = await boot();
    f.hold(MESSAGES, when);
    const v = f.slash('video', { prompt: 'a sunrise over the sea' });
    await f.waitFor(() => f.repliesTo(v).some((m) => JSON.stringify(m.components).includes('nemo:export')));
    f.slash('export');
    await f.waitFor(() => f.calls.some((c) => MESSAGES.test(`${c.method} ${c.path}`) && c.files.length > 0));
    const [renderId] = await state.members('jobs:pending');
    expect(renderId).toBeDefined();
    expect(await state.get(`posted:${renderId}`)).toBeUndefined();
    // The first process is dead to the world: its adapter stops; its upload never hears back.
    await first.handle.stop();

    const second = await boot();
    await second.deps.engine.resume();
    await f.waitFor(
      () => videoMessages(f).length >= 1 && f.calls.filter((c) => c.files.length > 0).length >= 2,
    );
    await second.deps.engine.idle();
    const videos = videoMessages(f);
    expect(videos).toHaveLength(1);
    expect(videos[0]?.files[0]?.bytes.equals(nemo?.mp4() ?? Buffer.alloc(0))).toBe(true);
    // Both attempts carried the same nonce, derived from the render id.
    const posts = f.calls.filter((c) => MESSAGES.test(`${c.method} ${c.path}`) && c.files.length > 0);
    const nonces = posts.map((c) => (c.body as { nonce?: string; enforce_nonce?: boolean }).nonce);
    expect(nonces).toEqual([videoNonce(renderId ?? '', 'file', 0), videoNonce(renderId ?? '', 'file', 0)]);
    expect(posts.every((c) => (c.body as { enforce_nonce?: boolean }).enforce_nonce === true)).toBe(true);
    expect(nemo?.count('render')).toBe(1);
    expect(await state.members('jobs:pending')).toEqual([]);
  });
});

describe('the fake Discord and enforce_nonce', () => {
  it('returns the first message for a repeated nonce; without enforce_nonce, or another nonce, creates', async () => {
    fake = await startFakeDiscord();
    const post = (body: object) =>
      fetch(`${fake?.url}/v10/channels/${GENERAL}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${fake?.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string; nonce?: string }>);
    const a = await post({ content: 'one', nonce: 'n-1', enforce_nonce: true });
    const b = await post({ content: 'one again', nonce: 'n-1', enforce_nonce: true });
    const c = await post({ content: 'two', nonce: 'n-2', enforce_nonce: true });
    const d = await post({ content: 'three', nonce: 'n-1' });
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(d.id).not.toBe(a.id);
    expect(fake.channelMessages(GENERAL).map((m) => m.content)).toEqual(['one', 'two', 'three']);
  });
});
