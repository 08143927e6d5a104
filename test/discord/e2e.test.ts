import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { DiscordOptions } from '../../src/adapters/discord/index.ts';
import type { FakeDiscordOptions } from '../fakes/discord/types.ts';
import { tinyPng } from '../fakes/media.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { type Harness, realEngine, startHarness } from './harness.ts';
import { type SlowProxy, startSlowProxy } from './slow-proxy.ts';

// End to end: real discord.js in the real adapter, the fake Discord, the real engine and NemoVideo client,
// the fake NemoVideo. Timings are milliseconds; only the tests that wait on purpose take longer.

const GENERAL = '300000000000000001';
const RENDERS = '300000000000000002';
const MiB = 1024 * 1024;

let h: Harness | undefined;
let nemo: FakeNemo | undefined;
let proxy: SlowProxy | undefined;
let dir: string | undefined;

afterEach(async (ctx) => {
  if (process.env.DC_DEBUG && ctx.task.result?.state === 'fail' && h) {
    for (const m of h.fake.messages)
      console.log(
        m.channelId,
        m.interactionId ?? '-',
        m.flags,
        JSON.stringify(m.history),
        m.files.length,
        JSON.stringify(m.components).slice(0, 80),
      );
    console.log(h.logs.join('').slice(-2500));
  }
  await h?.close();
  await nemo?.close();
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = nemo = proxy = dir = undefined;
});

async function start(
  o: {
    nemo?: Partial<FakeNemoOptions>;
    fake?: Partial<FakeDiscordOptions>;
    adapter?: DiscordOptions;
    slowMs?: number;
  } = {},
): Promise<Harness> {
  const fakeNemo = await startFakeNemo({
    heartbeatMs: 20,
    generateMs: 100,
    replyMs: 20,
    renderPolls: 2,
    ...o.nemo,
  });
  nemo = fakeNemo;
  if (o.slowMs) proxy = await startSlowProxy(fakeNemo.url, o.slowMs);
  dir = await mkdtemp(join(tmpdir(), 'dc-e2e-'));
  const env = {
    NEMO_API_URL: proxy?.url ?? fakeNemo.url,
    EXPORT_DIR: dir,
    HEARTBEAT_INTERVAL_MS: '40',
    RENDER_POLL_INTERVAL_MS: '20',
    RATE_LIMIT_RETRY_MS: '20',
    RECOVERY_FIRST_MS: '20',
    RECOVERY_EVERY_MS: '20',
  };
  h = await startHarness({
    env,
    ...(o.fake ? { fake: o.fake } : {}),
    ...(o.adapter ? { adapter: o.adapter } : {}),
    engine: realEngine,
  });
  return h;
}

const text = (h: Harness, i: Parameters<Harness['fake']['repliesTo']>[0]) =>
  h.fake
    .repliesTo(i)
    .map((m) => m.content)
    .join('\n');

test('/video with a prompt and an image: deferred, heartbeats on one message, then the reply', async () => {
  const { fake } = await start({ nemo: { generateMs: 300 } });
  const image = fake.upload('cat.png', tinyPng(), 'image/png');
  const i = fake.slash('video', { prompt: 'make a 5 second video of this cat', file: image });
  await fake.waitFor(() => h && text(h, i).includes('✅'));
  expect(i.ackType).toBe(5);
  expect((i.ackedAt ?? Infinity) - i.dispatchedAt).toBeLessThan(3_000);
  // Heartbeats edit one message in place instead of posting new ones.
  const beats = fake.repliesTo(i).filter((m) => m.history.some((t) => t.startsWith('⏳')));
  expect(beats).toHaveLength(1);
  expect(beats[0]?.history.length).toBeGreaterThan(1);
  // The image went to NemoVideo (by its CDN URL or streamed) before the prompt.
  const uploadCalls = nemo?.requests.filter((r) => r.path.includes('/upload')) ?? [];
  expect(uploadCalls.length).toBeGreaterThan(0);
  expect(nemo?.chats.map((c) => c.text)).toContain('make a 5 second video of this cat');
});

test('/export posts the MP4 byte for byte, with buttons handled by a press', async () => {
  const { fake } = await start();
  const first = fake.slash('video', { prompt: 'a sunrise over the sea' });
  const withButtons = await fake.waitFor(() =>
    fake.repliesTo(first).find((m) => JSON.stringify(m.components).includes('nemo:export')),
  );
  const press = fake.press('nemo:export', withButtons);
  // A video goes to the channel (a webhook message takes no nonce), mentioning who asked, with a nonce Discord
  // uses to drop a repeat after a crash.
  const videos = () => fake.channelMessages(first.channelId).filter((m) => m.files.length > 0);
  const video = await fake.waitFor(() => videos()[0]);
  expect(video.files[0]?.bytes.equals(nemo?.mp4() ?? Buffer.alloc(0))).toBe(true);
  expect(video.content.startsWith(`<@${press.userId}>`)).toBe(true);
  expect(video.nonce).toBeDefined();
  // A second export only after the first has finished: one arriving earlier is a double tap, refused.
  await fake.waitFor(() => text(h as Harness, press).includes('✅ Rendered'));
  fake.slash('export');
  const again = await fake.waitFor(() => videos()[1]);
  expect(again.files[0]?.bytes.equals(nemo?.mp4() ?? Buffer.alloc(0))).toBe(true);
  // Two renders, two videos: a nonce belongs to one render.
  expect(again.nonce).not.toBe(video.nonce);
});

test('a 12 MiB render is posted as a link, not uploaded', async () => {
  const { fake } = await start({ nemo: { mp4PadTo: 12 * MiB } });
  const v = fake.slash('video', { prompt: 'a long drone shot' });
  await fake.waitFor(() => text(h as Harness, v).includes('✅'));
  fake.slash('export');
  const link = await fake.waitFor(() => fake.messages.find((m) => /https?:\/\//.test(m.content)));
  expect(fake.messages.every((m) => m.files.length === 0)).toBe(true);
  expect(link.content).toMatch(/http:\/\/127\.0\.0\.1/);
});

test('a result after the interaction token expired is posted to the channel with a mention', async () => {
  const { fake } = await start({
    nemo: { generateMs: 500 },
    fake: { interactionTtlMs: 200 },
    adapter: { interactionTtlMs: 200 },
  });
  fake.slash('video', { prompt: 'a slow render' }, { channel: RENDERS });
  const late = await fake.waitFor(() =>
    fake.channelMessages(RENDERS).find((m) => m.content.startsWith('<@400000000000000001>')),
  );
  expect(late.content.length).toBeGreaterThan('<@400000000000000001> '.length);
});

test('every interaction is acknowledged within 3 s even when each backend call takes over a second', async () => {
  const { fake } = await start({ slowMs: 1_100 });
  const a = fake.slash('credits');
  const b = fake.slash('video', { prompt: 'hello' }, { channel: RENDERS });
  await fake.waitFor(() => a.ackedAt && b.ackedAt);
  for (const i of [a, b]) expect((i.ackedAt ?? Infinity) - i.dispatchedAt).toBeLessThan(500);
  const answer = await fake.waitFor(() => fake.repliesTo(a).find((m) => m.content.includes('💳')), 10_000);
  expect(answer.createdAt).toBeLessThanOrEqual(Date.now());
  expect(Date.now() - a.dispatchedAt).toBeGreaterThan(1_000);
}, 20_000);

test("/credits in one channel is answered while another channel's long turn runs", async () => {
  const { fake } = await start({ nemo: { generateMs: 3_000 } });
  const long = fake.slash('video', { prompt: 'an epic trailer' }, { channel: RENDERS });
  await fake.waitFor(() => (nemo?.chats.length ?? 0) > 0);
  const c = fake.slash('credits', {}, { channel: GENERAL });
  await fake.waitFor(() => text(h as Harness, c).includes('💳'), 2_000);
  expect(text(h as Harness, long)).not.toContain('✅');
});

test('/credits and /status answer in Chinese for a zh-CN user', async () => {
  const { fake } = await start();
  const c = fake.slash('credits', {}, { locale: 'zh-CN' });
  await fake.waitFor(() => text(h as Harness, c).includes('积分'));
  const s = fake.slash('status', {}, { locale: 'zh-CN', channel: RENDERS });
  await fake.waitFor(() => /[\u4e00-\u9fff]/.test(text(h as Harness, s)));
});

test('a mention in a channel is handled like a text message', async () => {
  const { fake } = await start();
  fake.message('make a video of a red balloon', { mentionsBot: true });
  await fake.waitFor(() => fake.channelMessages(GENERAL).some((m) => m.content.includes('✅')));
  expect(nemo?.chats.map((c) => c.text)).toContain('make a video of a red balloon');
});

test('an unsupported attachment is refused ephemerally before any backend call', async () => {
  const { fake } = await start();
  const pdf = fake.upload('brief.pdf', Buffer.from('%PDF'), 'application/pdf');
  const i = fake.slash('video', { prompt: 'use this', file: pdf });
  const refusal = await fake.waitFor(() => fake.repliesTo(i).find((m) => m.flags & 64));
  expect(refusal.content).toContain('brief.pdf');
  expect(refusal.content).toMatch(/Supported: /);
  // The public "thinking…" placeholder is gone: only the user saw the refusal.
  await fake.waitFor(() => fake.repliesTo(i).length === 1);
  expect(nemo?.requests).toHaveLength(0);
});

test('a Chinese writer with an en-US locale gets the refusal in Chinese', async () => {
  const { fake } = await start();
  const pdf = fake.upload('brief.pdf', Buffer.from('%PDF'), 'application/pdf');
  const i = fake.slash('video', { prompt: '用这个文件做一个视频', file: pdf }, { locale: 'en-US' });
  const refusal = await fake.waitFor(() => fake.repliesTo(i).find((m) => m.flags & 64));
  expect(refusal.content).toMatch(/brief\.pdf.*支持的格式/);
  expect(nemo?.requests).toHaveLength(0);
});

test('/open is a slash command: the project link goes to the asker only', async () => {
  const { fake } = await start();
  const v = fake.slash('video', { prompt: 'a sunrise over the sea' });
  await fake.waitFor(() => text(h as Harness, v).includes('✅'));
  const o = fake.slash('open');
  const link = await fake.waitFor(() => fake.repliesTo(o).find((m) => m.flags & 64));
  expect(link.content).toMatch(/workspace\/claim/);
});

test('/reset is refused without Manage Server or Manage Channels', async () => {
  const { fake } = await start();
  const i = fake.slash('reset');
  await fake.waitFor(() => text(h as Harness, i).length > 0);
  expect(text(h as Harness, i)).toMatch(/admin/i);
  const ok = fake.slash('reset', {}, { permissions: 1n << 4n, channel: RENDERS });
  await fake.waitFor(() => text(h as Harness, ok).length > 0);
  expect(text(h as Harness, ok)).not.toMatch(/Only an admin/);
});
