import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE, menuDescription } from '../../src/i18n/commands.ts';
import { tinyJpeg } from '../fakes/telegram/jpeg.ts';
import { startFakeTelegram } from '../fakes/telegram/server.ts';
import { RecordingEngine, recordingHarnesses, startHarnessWithToken } from './harness.ts';

// The adapter with real grammY against the fake Bot API and a recording engine: what it hands the core,
// and Telegram's rules it owns (groups, admins, albums, limits, dedupe).

const start = recordingHarnesses();

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

  it('sets the command menu in English and Chinese: every command of the table', async () => {
    const { tg } = await start();
    const calls = tg.calls.filter((c) => c.method === 'setMyCommands');
    expect(calls.map((c) => c.params.language_code)).toEqual(expect.arrayContaining([undefined, 'zh']));
    expect(calls.every((c) => c.status === 200)).toBe(true); // the fake validates names and descriptions
    for (const [code, lang] of [
      [undefined, 'en'],
      ['zh', 'zh'],
    ] as const) {
      // Administrators' menu: every command (members' menus are checked in loop.test.ts).
      const sent = calls.find(
        (c) =>
          c.params.language_code === code &&
          (c.params.scope as { type?: string } | undefined)?.type === 'all_chat_administrators',
      )!.params.commands;
      expect(sent).toEqual(
        COMMAND_TABLE.map((c) => ({ command: c.name, description: menuDescription(c, lang) })),
      );
    }
    const zh = calls.find((c) => c.params.language_code === 'zh')!;
    expect(JSON.stringify(zh.params.commands)).toContain('导出');
    expect(JSON.stringify(zh.params.commands)).toContain('"open"');
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
      sender: { id: '7', displayName: 'Ann', locale: 'zh-hans' },
      botMentions: ['@NemoVideoBot'],
    });
    expect(await m!.sender.isAdmin()).toBe(true);
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
    expect(handled.every((m) => m.address === `tg:${team.id}`)).toBe(true);
    // Nobody asked whether bob is an admin, so Telegram was not asked either.
    expect(tg.calls.some((c) => c.method === 'getChatMember')).toBe(false);
  });

  it('asks Telegram whether a group sender is an admin only when the core asks, however it was addressed', async () => {
    const { tg, engine } = await start();
    const team = tg.group();
    const member = tg.user(5);
    const admin = tg.user(6);
    tg.setAdmin(team, admin);
    tg.sendText(team, member, '/reset');
    tg.sendText(team, admin, '/lang@NemoVideoBot zh');
    tg.sendText(team, admin, '@NemoVideoBot reset');
    const handled = await engine.waitHandled(3);
    expect(tg.calls.some((c) => c.method === 'getChatMember')).toBe(false);
    const answers = await Promise.all(handled.map((m) => m.sender.isAdmin()));
    expect(handled.map((m, i) => [m.text, answers[i]])).toEqual([
      ['/reset', false],
      ['/lang@NemoVideoBot zh', true],
      ['@NemoVideoBot reset', true],
    ]);
    expect(tg.calls.filter((c) => c.method === 'getChatMember')).toHaveLength(3);
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

  it('passes a 25 MB file with the 20 MB download limit as facts, saying nothing itself', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'en' });
    tg.sendDocument(tg.privateChat(ann), ann, {
      fileName: 'long.mp4',
      mimeType: 'video/mp4',
      size: 25 * 1024 * 1024,
    });
    const [m] = await engine.waitHandled(1);
    expect(m!.attachments[0]).toMatchObject({ size: 25 * 1024 * 1024, limitBytes: 20 * 1024 * 1024 });
    expect(tg.calls.some((c) => c.method === 'sendMessage')).toBe(false);
    expect(tg.downloads).toHaveLength(0);
    expect(tg.calls.some((c) => c.method === 'getFile')).toBe(false);
  });

  it('lifts the download limit with TELEGRAM_LOCAL_API', async () => {
    const { tg, engine } = await start({ TELEGRAM_LOCAL_API: 'true' });
    const ann = tg.user(7);
    tg.sendDocument(tg.privateChat(ann), ann, { fileName: 'long.mp4', size: 25 * 1024 * 1024 });
    const [m] = await engine.waitHandled(1);
    expect(m!.attachments[0]).toMatchObject({ size: 25 * 1024 * 1024, limitBytes: 2000 * 1024 * 1024 });
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
      lang: 'en',
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
});

/** A second adapter against an existing fake (wrong token, second poller). */
