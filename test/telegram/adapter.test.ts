import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelegram } from '../../src/adapters/telegram/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { tinyJpeg } from '../fakes/telegram/jpeg.ts';
import { startFakeTelegram } from '../fakes/telegram/server.ts';
import { botTexts, type Harness, RecordingEngine, startHarness } from './harness.ts';

// The adapter with real grammY against the fake Bot API and a recording engine: what it hands the core,
// and Telegram's rules it owns (groups, admins, albums, limits, dedupe).

let h: (Harness & { engine: RecordingEngine }) | undefined;
const start = async (env: Record<string, string> = {}) => {
  const engine = new RecordingEngine();
  h = (await startHarness({ env, engine: () => engine })) as Harness & { engine: RecordingEngine };
  return h;
};
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const readAll = async (stream: ReadableStream<Uint8Array>) =>
  Buffer.from(await new Response(stream).arrayBuffer());

describe('telegram adapter', () => {
  it('fails fast with one line on a wrong token, without the token', async () => {
    const tg = await startFakeTelegram();
    const engine = new RecordingEngine();
    const badToken = '999:AAWrongTokenWrongTokenWrongToken';
    const err = await startHarnessWithToken(tg.url, badToken, engine).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)');
    await tg.close();
  });

  it('sets the command menu in English and Chinese', async () => {
    const { tg } = await start();
    const calls = tg.calls.filter((c) => c.method === 'setMyCommands');
    expect(calls.map((c) => c.params.language_code)).toEqual(expect.arrayContaining([undefined, 'zh']));
    expect(calls.every((c) => c.status === 200)).toBe(true); // the fake validates names and descriptions
    const zh = calls.find((c) => c.params.language_code === 'zh')!;
    expect(JSON.stringify(zh.params.commands)).toContain('导出');
  });

  it('hands a private message to the engine with address, locale and admin', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'zh-hans', name: 'Ann' });
    tg.sendText(tg.privateChat(ann), ann, '导出');
    const [m] = await engine.waitHandled(1);
    expect(m).toMatchObject({
      address: 'tg:7',
      platform: 'telegram',
      text: '导出',
      attachments: [],
      sender: { id: '7', displayName: 'Ann', locale: 'zh-hans', isAdmin: true },
      botMentions: ['@NemoVideoBot'],
    });
    expect(m!.command).toBeUndefined();
    expect(engine.resolvers.get('tg')!('tg:7')?.address).toBe('tg:7');
  });

  it('parses commands with arguments', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, '/lang zh');
    const [m] = await engine.waitHandled(1);
    expect(m!.command).toEqual({ name: 'lang', arg: 'zh' });
  });

  it("does not wait for chat A's turn before handing over chat B's message", async () => {
    const { tg, engine } = await start();
    let release = () => {};
    engine.turn = (m) => (m.address === 'tg:1' ? new Promise<void>((r) => (release = r)) : Promise.resolve());
    const a = tg.user(1);
    const b = tg.user(2);
    tg.sendText(tg.privateChat(a), a, 'generate a long video');
    await engine.waitHandled(1);
    tg.sendText(tg.privateChat(b), b, 'credits');
    const handled = await engine.waitHandled(2);
    expect(handled.map((m) => m.address)).toEqual(['tg:1', 'tg:2']);
    release();
  });

  it('does not process a re-delivered update twice', async () => {
    const { tg, engine, logs } = await start();
    const ann = tg.user(7);
    const update = tg.sendText(tg.privateChat(ann), ann, 'make a video');
    await engine.waitHandled(1);
    tg.redeliver(update);
    tg.sendText(tg.privateChat(ann), ann, 'next');
    const handled = await engine.waitHandled(2);
    expect(handled.map((m) => m.text)).toEqual(['make a video', 'next']);
    expect(logs.some((l) => l.includes('already handled'))).toBe(true);
  });

  it('in groups answers commands, mentions and replies to its messages only', async () => {
    const { tg, engine } = await start();
    const bob = tg.user(5, { lang: 'en' });
    const team = tg.group();
    tg.sendText(team, bob, 'lunch anyone?');
    tg.sendText(team, bob, '@NemoVideoBot make a teaser');
    tg.sendText(team, bob, '/status@OtherBot');
    tg.sendText(team, bob, '/credits');
    await engine.waitHandled(2);
    const sent = await engine.handled[1]!.chat.send({ text: 'Done: 10 credits' });
    tg.sendText(team, bob, 'shorter please', { replyTo: Number(sent.id) });
    const handled = await engine.waitHandled(3);
    expect(handled.map((m) => m.text)).toEqual(['@NemoVideoBot make a teaser', '/credits', 'shorter please']);
    expect(handled.every((m) => m.address === `tg:${team.id}` && !m.sender.isAdmin)).toBe(true);
  });

  it('asks Telegram whether the sender is an admin for /reset and /lang in groups', async () => {
    const { tg, engine } = await start();
    const team = tg.group();
    const member = tg.user(5);
    const admin = tg.user(6);
    tg.setAdmin(team, admin);
    tg.sendText(team, member, '/reset');
    tg.sendText(team, admin, '/lang@NemoVideoBot zh');
    const handled = await engine.waitHandled(2);
    expect(handled.map((m) => [m.command?.name, m.sender.isAdmin])).toEqual([
      ['reset', false],
      ['lang', true],
    ]);
    expect(tg.calls.filter((c) => c.method === 'getChatMember')).toHaveLength(2);
  });

  it('treats a forum topic as its own chat and answers in that topic', async () => {
    const { tg, engine } = await start();
    const forum = tg.group({ forum: true });
    const bob = tg.user(5);
    tg.sendText(forum, bob, '/status', { topicId: 77 });
    tg.sendText(forum, bob, 'hello everyone', { topicId: 77 }); // a topic's implicit reply is not to the bot
    const [m] = await engine.waitHandled(1);
    expect(m!.address).toBe(`tg:${forum.id}:77`);
    await engine.handled[0]!.chat.send({ text: 'Timeline: empty' });
    const call = await tg.waitFor('sendMessage');
    expect(call.params).toMatchObject({ chat_id: forum.id, message_thread_id: 77 });
    expect(engine.handled).toHaveLength(1);
  });

  it('collects an album into one message with the caption and streams each photo', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendAlbum(tg.privateChat(ann), ann, 3, 'three product images into a 1080p MP4');
    const [m] = await engine.waitHandled(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(engine.handled).toHaveLength(1);
    expect(m!.text).toBe('three product images into a 1080p MP4');
    expect(m!.attachments).toHaveLength(3);
    for (const a of m!.attachments) {
      expect(a.url).toBeUndefined();
      expect(a.mimeType).toBe('image/jpeg');
      expect((await readAll(await a.open!(new AbortController().signal))).equals(tinyJpeg())).toBe(true);
    }
    expect(tg.downloads).toHaveLength(3);
  });

  it('uses the largest photo size that fits the download limit', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    const { files } = tg.sendPhoto(tg.privateChat(ann), ann, { sizes: [500, 5_000, 30 * 1024 * 1024] });
    const [m] = await engine.waitHandled(1);
    await readAll(await m!.attachments[0]!.open!(new AbortController().signal));
    const getFile = await tg.waitFor('getFile');
    expect(getFile.params.file_id).toBe(files[1]!.fileId);
  });

  it('refuses a 25 MB file with the limit message before any download', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'en' });
    tg.sendDocument(tg.privateChat(ann), ann, {
      fileName: 'long.mp4',
      mimeType: 'video/mp4',
      size: 25 * 1024 * 1024,
    });
    const call = await tg.waitFor('sendMessage');
    expect(String(call.params.text)).toMatch(/25\.0 MB.*at most 20\.0 MB.*link/s);
    expect(engine.handled).toHaveLength(0);
    expect(tg.downloads).toHaveLength(0);
    expect(tg.calls.some((c) => c.method === 'getFile')).toBe(false);
  });

  it('lifts the download limit with TELEGRAM_LOCAL_API', async () => {
    const { tg, engine } = await start({ TELEGRAM_LOCAL_API: 'true' });
    const ann = tg.user(7);
    tg.sendDocument(tg.privateChat(ann), ann, { fileName: 'long.mp4', size: 25 * 1024 * 1024 });
    const [m] = await engine.waitHandled(1);
    expect(m!.attachments[0]!.size).toBe(25 * 1024 * 1024);
    expect(engine.handled[0]!.chat.videoLimitBytes).toBe(2000 * 1024 * 1024);
  });

  it('turns inline buttons into commands and answers the callback query', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'en' });
    const chat = tg.privateChat(ann);
    tg.sendText(chat, ann, 'hi');
    await engine.waitHandled(1);
    const ref = await engine.handled[0]!.chat.send({
      text: 'Your draft is ready',
      buttons: ['export', 'status', 'credits'],
    });
    const sent = await tg.waitFor('sendMessage');
    expect(sent.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: '🎬 Export', callback_data: 'export' },
          { text: '📊 Status', callback_data: 'status' },
          { text: '💰 Credits', callback_data: 'credits' },
        ],
      ],
    });
    tg.pressButton(chat, ann, Number(ref.id), 'export');
    const handled = await engine.waitHandled(2);
    expect(handled[1]).toMatchObject({ address: 'tg:7', command: { name: 'export' }, text: '' });
    await tg.waitFor('answerCallbackQuery');
  });

  it('serves webhooks: an update POSTed with the secret is handled, a wrong secret gets 401', async () => {
    const engine = new RecordingEngine();
    h = (await startHarness({
      engine: () => engine,
      webhook: true,
      env: { TELEGRAM_WEBHOOK_SECRET: 'hook-secret-123456' },
    })) as Harness & { engine: RecordingEngine };
    const { tg } = h;
    const set = await tg.waitFor('setWebhook');
    expect(set.params).toMatchObject({
      url: `${h.httpUrl}/telegram/hook`,
      secret_token: 'hook-secret-123456',
    });
    expect(tg.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    // The fake delivers by POSTing to the handler mounted on main's HTTP server.
    const ann = tg.user(7);
    const update = tg.sendText(tg.privateChat(ann), ann, 'via webhook');
    const [m] = await engine.waitHandled(1);
    expect(m!.text).toBe('via webhook');
    expect(await tg.postWebhook({ ...update, update_id: 999_999 }, 'wrong')).toBe(401);
    expect(await tg.postWebhook(update)).toBe(200); // a re-delivery: acknowledged, not handled again
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.handled).toHaveLength(1);
  });

  it('logs a 409 when a second instance polls with the same token', async () => {
    const first = await start();
    await first.tg.waitFor('getUpdates', (c) => Number(c.params.timeout) > 0);
    const engine = new RecordingEngine();
    const second = await startHarnessWithToken(first.tg.url, first.tg.token, engine);
    await second.waitLog(/409 Conflict/);
    await second.stop();
  });

  it('edits in place, skipping identical text; splits long messages; survives a 429 storm', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    const ref = await chat.send({ text: '⏳ Rendering 10%' });
    await chat.edit(ref, { text: '⏳ Rendering 10%' });
    await chat.edit(ref, { text: '⏳ Rendering 50%' });
    await chat.edit(ref, { text: '⏳ Rendering 50%' });
    expect(tg.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(1);
    tg.rateLimit('*', 4, 0.02);
    await chat.send({ text: `${'word '.repeat(1000)}\n${'more '.repeat(1000)}` });
    const texts = botTexts(tg, 7);
    expect(texts.slice(-2).every((t) => t.length <= 4096)).toBe(true);
    expect(tg.calls.filter((c) => c.status === 429)).toHaveLength(4);
  });

  it('sends a video within 50 MB from its path with supports_streaming, a larger one as a link', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'en' });
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    expect(chat.videoLimitBytes).toBe(50 * 1024 * 1024);
    const dir = await mkdtemp(join(tmpdir(), 'tg-video-'));
    const path = join(dir, 'render.mp4');
    const bytes = Buffer.from('fake mp4 bytes for the upload');
    await writeFile(path, bytes);
    tg.rateLimit('sendVideo', 1, 0.02); // the retry re-reads the file: a path, not a spent stream
    await chat.sendVideo({
      url: 'https://cdn.example/v.mp4',
      path,
      size: bytes.length,
      durationSec: 30.4,
      caption: 'Done',
    });
    const video = tg.calls.find((c) => c.method === 'sendVideo' && c.status === 200)!;
    expect(video.files.video?.bytes.equals(bytes)).toBe(true);
    expect(video.params).toMatchObject({
      chat_id: 7,
      supports_streaming: true,
      duration: 30,
      caption: 'Done',
    });
    expect(tg.calls.some((c) => c.method === 'sendChatAction' && c.params.action === 'upload_video')).toBe(
      true,
    );

    await chat.sendVideo({ url: 'https://cdn.example/big.mp4', size: 60 * 1024 * 1024 });
    const link = botTexts(tg, 7).at(-1)!;
    expect(link).toContain('https://cdn.example/big.mp4');
    expect(link).toContain('60.0 MB');
    expect(tg.calls.filter((c) => c.method === 'sendVideo' && c.status === 200)).toHaveLength(1);
    await rm(dir, { recursive: true });
  });

  it('posts a new message when the status message can no longer be edited, and edits that one after', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    const ref = await chat.send({ text: 'step 1' });
    tg.state.messages.delete(`7:${ref.id}`);
    await chat.edit(ref, { text: 'step 2' });
    await chat.edit(ref, { text: 'step 3' });
    expect(botTexts(tg, 7)).toEqual(['step 1', 'step 2', 'step 3']);
    expect(tg.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(2);
  });

  it('stops polling on stop() and confirms the offset', async () => {
    const { tg, adapter } = await start();
    await tg.waitFor('getUpdates', (c) => Number(c.params.timeout) > 0);
    await adapter.stop();
    const polls = tg.calls.filter((c) => c.method === 'getUpdates');
    expect(polls.at(-1)!.params.timeout).toBeUndefined();
  });
});

/** A second adapter against an existing fake (wrong token, second poller). */
async function startHarnessWithToken(apiRoot: string, token: string, engine: RecordingEngine) {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const secrets = new Secrets();
  const config = parseConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot });
  const logger = createLogger({ level: 'debug', secrets, destination });
  const handle = await startTelegram({ engine, config, logger, secrets, store: new Keyv(), mount: () => {} });
  return {
    stop: () => handle.stop(),
    async waitLog(pattern: RegExp) {
      for (let i = 0; i < 60 && !logs.some((l) => pattern.test(l)); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(logs.some((l) => pattern.test(l))).toBe(true);
    },
  };
}
