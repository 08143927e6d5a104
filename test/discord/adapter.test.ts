import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startDiscord } from '../../src/adapters/discord/index.ts';
import { parseConfig } from '../../src/config.ts';
import type { InboundMessage } from '../../src/core/ports.ts';
import { COMMAND_TABLE } from '../../src/i18n/commands.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { Intents, startFakeDiscord } from '../fakes/discord/server.ts';
import { type Harness, ScriptedEngine, startHarness } from './harness.ts';

// The adapter against the fake Discord with a scripted engine: what Discord sees for each thing the core
// does (defer, edit, follow-ups, files, links, ephemeral, late results) and what the core receives.

const GENERAL = '300000000000000001';
const RENDERS = '300000000000000002';
const THREAD = '300000000000000003';
const MANAGE_GUILD = 1n << 5n;

let h: Harness;
let engine: ScriptedEngine;
let dir: string;

beforeEach(async () => {
  engine = new ScriptedEngine();
  h = await startHarness({ engine, env: { DISCORD_GUILD_ID: '200000000000000001' } });
  dir = await mkdtemp(join(tmpdir(), 'dc-test-'));
});
afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const received = () => h.fake.waitFor(() => engine.received.at(-1));

describe('startup', () => {
  test('registers the commands to the guild with zh-CN localizations, without privileged intents', () => {
    const cmds = h.fake.commands.get('200000000000000001') as Array<Record<string, unknown>>;
    expect(cmds.map((c) => c.name)).toEqual(expect.arrayContaining(COMMAND_TABLE.map((c) => c.name)));
    expect(cmds.map((c) => c.name)).toContain('video');
    const video = cmds.find((c) => c.name === 'video') as { name_localizations: object; options: unknown[] };
    expect(video.name_localizations).toEqual({ 'zh-CN': '视频' });
    expect(video.options).toHaveLength(4);
    const intents = h.fake.identify?.intents ?? 0;
    expect(intents & Intents.MessageContent).toBe(0);
    expect(intents & Intents.DirectMessages).not.toBe(0);
    expect(engine.resolvers.has('dc')).toBe(true);
  });

  test('a wrong token fails fast with one line that does not contain it', async () => {
    const fake = await startFakeDiscord();
    const secrets = new Secrets();
    const wrong = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.wrong.token-that-must-not-leak';
    const config = parseConfig({ DISCORD_TOKEN: wrong, DISCORD_API_URL: fake.url, STORE_URL: 'memory://' });
    const logger = createLogger({ level: 'silent', secrets });
    const started = Date.now();
    const err = (await startDiscord({
      engine,
      config,
      logger,
      secrets,
      state: h.deps.state,
      mount: () => {},
    }).catch((e: unknown) => e)) as Error;
    await fake.close();
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/DISCORD_TOKEN/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test.each([
    [4004, /DISCORD_TOKEN/],
    [4014, /intents/],
  ])('a gateway close %i fails startup with one line', async (code, pattern) => {
    const fake = await startFakeDiscord({ identifyCloseCode: code });
    const secrets = new Secrets();
    const config = parseConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.url,
      STORE_URL: 'memory://',
    });
    const logger = createLogger({ level: 'silent', secrets });
    const deps = { engine, config, logger, secrets, state: h.deps.state, mount: () => {} };
    const err = (await startDiscord(deps).catch((e: unknown) => e)) as Error;
    await fake.close();
    expect(err.message).toMatch(pattern);
    expect(err.message).not.toContain(fake.token);
    expect(err.message).not.toContain('\n');
  });
});

describe('interactions', () => {
  test('/credits: deferred before the engine runs, then the reply fills the deferred message', async () => {
    let ackedBeforeEngine: boolean | undefined;
    engine.script = async (_m, chat) => {
      ackedBeforeEngine = h.fake.interactions.at(-1)?.ackType === 5;
      await chat.send({ text: 'You have 100 credits.' });
    };
    const i = h.fake.slash('credits', {}, { locale: 'zh-CN' });
    const m = await h.fake.waitFor(() => h.fake.repliesTo(i).find((x) => x.content.includes('100')));
    expect(ackedBeforeEngine).toBe(true);
    expect(m.original).toBe(true);
    const { msg } = engine.received[0] as { msg: InboundMessage };
    expect(msg.command).toEqual({ name: 'credits' });
    expect(msg.address).toBe(`dc:${GENERAL}`);
    expect(msg.sender).toMatchObject({ id: '400000000000000001', locale: 'zh-CN' });
    expect(await msg.sender.isAdmin()).toBe(false);
  });

  test('progress edits one message; long text is split at 2000 characters with buttons on the last part', async () => {
    engine.script = async (_m, chat) => {
      const ref = await chat.send({ text: '⏳ Working…' });
      await chat.edit(ref, { text: '⏳ Still working… 40%' });
      await chat.send({ text: `${'word '.repeat(900)}end`, buttons: ['export', 'status', 'credits'] });
    };
    const i = h.fake.slash('video', { prompt: 'a cat video' }, { channel: RENDERS });
    const parts = await h.fake.waitFor(() => {
      const r = h.fake.repliesTo(i);
      return r.length === 4 && r;
    });
    expect(parts[0]?.history).toEqual(['', '⏳ Working…', '⏳ Still working… 40%']);
    for (const p of parts) expect(p.content.length).toBeLessThanOrEqual(2000);
    expect(
      parts
        .slice(1)
        .map((p) => p.content)
        .join(' '),
    ).toBe(`${'word '.repeat(900)}end`);
    const row = parts[3]?.components[0] as { components: Array<{ custom_id: string; label: string }> };
    expect(row.components.map((b) => b.custom_id)).toEqual(['nemo:export', 'nemo:status', 'nemo:credits']);
    expect(parts[2]?.components).toEqual([]);
    expect(engine.received[0]?.msg.text).toBe('a cat video');
  });

  test('a private message is ephemeral and removes the public placeholder', async () => {
    engine.script = async (_m, chat) => {
      await chat.send({ text: 'Trial limit reached.', private: true });
    };
    const i = h.fake.slash('video', { prompt: 'x' });
    const m = await h.fake.waitFor(() => h.fake.repliesTo(i).find((x) => x.flags & 64));
    expect(m.content).toBe('Trial limit reached.');
    await h.fake.waitFor(() => h.fake.repliesTo(i).length === 1);
  });

  test('a button press becomes its command, answered under the press', async () => {
    engine.script = async (msg, chat) => {
      await chat.send({ text: msg.command ? `did ${msg.command.name}` : 'done', buttons: ['export'] });
    };
    const first = h.fake.slash('status');
    const withButtons = await h.fake.waitFor(() => h.fake.repliesTo(first).find((m) => m.components.length));
    const press = h.fake.press('nemo:export', withButtons);
    const reply = await h.fake.waitFor(() => h.fake.repliesTo(press).find((m) => m.content));
    expect(reply.content).toBe('did export');
    expect(press.ackType).toBe(5);
    expect(engine.received[1]?.msg.command).toEqual({ name: 'export' });
  });

  test('/reset: isAdmin needs Manage Server or Manage Channels in a guild; DMs are the user’s own', async () => {
    h.fake.slash('reset');
    h.fake.slash('reset', {}, { permissions: MANAGE_GUILD, channel: RENDERS });
    h.fake.slash('lang', { language: 'zh' }, { dm: true });
    await h.fake.waitFor(() => engine.received.length === 3);
    const byAddress = (a: string) => engine.received.find((r) => r.msg.address === a)?.msg;
    expect(await byAddress(`dc:${GENERAL}`)?.sender.isAdmin()).toBe(false);
    expect(await byAddress(`dc:${RENDERS}`)?.sender.isAdmin()).toBe(true);
    const dm = engine.received.find((r) => r.msg.command?.name === 'lang')?.msg;
    expect(await dm?.sender.isAdmin()).toBe(true);
    expect(dm?.command).toEqual({ name: 'lang', arg: 'zh' });
  });

  test('an unsupported attachment goes to the core like any other (it words the refusal)', async () => {
    const file = h.fake.upload('notes.pdf', Buffer.from('%PDF-1.4'), 'application/pdf');
    const i = h.fake.slash('video', { prompt: 'use this', file });
    const { msg } = await received();
    expect(i.ackType).toBe(5);
    expect(msg.attachments[0]).toMatchObject({ name: 'notes.pdf', mimeType: 'application/pdf' });
    expect(h.fake.repliesTo(i).every((m) => m.content === '')).toBe(true);
  });

  test('an image attachment is passed by its CDN URL and can be streamed', async () => {
    const bytes = Buffer.from('\x89PNG fake image bytes');
    const file = h.fake.upload('cat.png', bytes, 'image/png');
    h.fake.slash('video', { prompt: 'animate', file }, { channel: THREAD });
    const { msg } = await received();
    expect(msg.address).toBe(`dc:${GENERAL}:${THREAD}`);
    const a = msg.attachments[0];
    expect(a).toMatchObject({ name: 'cat.png', mimeType: 'image/png', size: bytes.length, url: file.url });
    const stream = await a?.open?.(AbortSignal.timeout(2_000));
    const got = Buffer.from(await new Response(stream).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
  });

  test('videos: attached when within attachment_size_limit, else linked', async () => {
    const small = join(dir, 'small.mp4');
    const bytes = Buffer.alloc(64 * 1024, 7);
    await writeFile(small, bytes);
    engine.script = async (_m, chat) => {
      await chat.send({ text: 'Rendering…' });
      await chat.sendVideo({
        url: 'https://cdn.example/v.mp4',
        path: small,
        size: bytes.length,
        caption: 'Done!',
        linkText: 'unused: the file fits',
      });
      await chat.sendVideo({
        url: 'https://cdn.example/big.mp4',
        size: 12 * 1024 * 1024,
        caption: 'not for a link',
        linkText: 'Over the limit (12.0 MB):',
      });
    };
    const i = h.fake.slash('export');
    const replies = await h.fake.waitFor(() => {
      const r = h.fake.repliesTo(i);
      return r.length === 3 && r;
    });
    expect(replies[1]?.files[0]?.bytes.equals(bytes)).toBe(true);
    expect(replies[1]?.content).toBe('Done!');
    expect(replies[2]?.files).toEqual([]);
    expect(replies[2]?.content).toBe('Over the limit (12.0 MB):\nhttps://cdn.example/big.mp4');
  });

  test('a 429 from Discord is waited out by discord.js and the message is sent once', async () => {
    h.fake.rateLimit(/^PATCH \/webhooks\//, 1, 0.05);
    engine.script = async (_m, chat) => {
      await chat.send({ text: 'after the limit' });
    };
    const i = h.fake.slash('help');
    await h.fake.waitFor(() => h.fake.repliesTo(i).find((m) => m.content === 'after the limit'));
    const patches = h.fake.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.status)).toEqual([429, 200]);
  });
});

describe('messages', () => {
  test('a mention in a channel and a DM reach the engine; other channel messages do not', async () => {
    engine.script = async (_m, chat) => {
      await chat.send({ text: 'on it' });
    };
    h.fake.message('just chatting', { channel: RENDERS });
    h.fake.message('make a video about cats', { mentionsBot: true });
    h.fake.message('hello in private', { dm: true });
    await h.fake.waitFor(() => engine.received.length === 2);
    const [mention, dm] = engine.received.map((r) => r.msg);
    expect(mention?.text).toBe('<@100000000000000001> make a video about cats');
    expect(mention?.botMentions).toContain('<@100000000000000001>');
    expect(mention?.address).toBe(`dc:${GENERAL}`);
    expect(dm?.text).toBe('hello in private');
    expect(await dm?.sender.isAdmin()).toBe(true);
    await h.fake.waitFor(() => h.fake.channelMessages(GENERAL).find((m) => m.content === 'on it'));
    expect(h.fake.channelMessages(RENDERS)).toHaveLength(0);
  });
});

describe('the 15-minute interaction token', () => {
  test('a result after the token expired goes to the channel, mentioning the user', async () => {
    await h.close();
    h = await startHarness({
      engine,
      fake: { interactionTtlMs: 200 },
      adapter: { interactionTtlMs: 200 },
    });
    engine.script = async (_m, chat) => {
      const ref = await chat.send({ text: '⏳ Rendering…' });
      await new Promise((r) => setTimeout(r, 250));
      await chat.edit(ref, { text: '⏳ Rendering… 90%' });
      await chat.send({ text: 'Your video is ready.', buttons: ['export'] });
    };
    const i = h.fake.slash('export');
    const late = await h.fake.waitFor(() =>
      h.fake.channelMessages(GENERAL).find((m) => m.content.includes('ready')),
    );
    expect(late.content).toBe('<@400000000000000001> Your video is ready.');
    expect(h.fake.repliesTo(i)[0]?.content).toBe('⏳ Rendering…');
    const mentions = h.fake.calls.find((c) => c.path.endsWith('/messages') && c.method === 'POST')?.body as {
      allowed_mentions: unknown;
    };
    expect(mentions.allowed_mentions).toEqual({ parse: [], users: ['400000000000000001'] });
  });

  test('when Discord says the token is dead, the adapter falls back to the channel', async () => {
    // The adapter believes in 15 minutes; Discord kills the token sooner.
    h.fake.options.interactionTtlMs = 100;
    engine.script = async (_m, chat) => {
      await new Promise((r) => setTimeout(r, 150));
      await chat.send({ text: 'late answer' });
    };
    h.fake.slash('status', {}, { channel: RENDERS });
    const m = await h.fake.waitFor(() => h.fake.channelMessages(RENDERS)[0]);
    expect(m.content).toBe('<@400000000000000001> late answer');
    expect(h.fake.calls.some((c) => c.status === 401)).toBe(true);
  });

  test('the resolver reaches a chat without an interaction (resumed jobs)', async () => {
    h.fake.slash('credits', {}, { channel: RENDERS });
    await received();
    const port = engine.resolvers.get('dc')?.(`dc:${RENDERS}`);
    await port?.send({ text: 'resumed result' });
    expect(h.fake.channelMessages(RENDERS)[0]?.content).toBe('<@400000000000000001> resumed result');
    expect(engine.resolvers.get('dc')?.('tg:1')).toBeUndefined();
  });
});
