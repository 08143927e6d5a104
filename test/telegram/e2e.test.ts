import { afterEach, describe, expect, it } from 'vitest';
import { tinyJpeg } from '../fakes/telegram/jpeg.ts';
import type { TgChat, TgUser } from '../fakes/telegram/server.ts';
import { type E2E, startE2E } from './e2e-harness.ts';

// End to end: real grammY in the real adapter, the real engine, NemoVideo client and store, against the
// fake Telegram Bot API and the fake NemoVideo, over 127.0.0.1.

let e: E2E | undefined;
afterEach(async () => {
  if (!e) return;
  try {
    expectNoLeaks(e);
  } finally {
    await e.close();
    e = undefined;
  }
});

const REPLY = 'Here is your 30-second promo draft: product shots, upbeat music and a title.';
const PROMPT = 'generate a 30-second promotional video from this product description';
const MB = 1024 * 1024;

/** Neither the bot token nor a Telegram file URL reached NemoVideo, a log line or a chat message. */
function expectNoLeaks(x: E2E): void {
  const secretPart = x.tg.token.split(':')[1]!;
  const leaks = (s: string) => s.includes(secretPart) || s.includes('/file/bot');
  for (const r of x.nemo.requests) {
    expect(leaks(`${r.path} ${JSON.stringify(r.headers)} ${r.body.toString('latin1')}`)).toBe(false);
  }
  expect(x.logs.filter(leaks)).toEqual([]);
  const texts = x.tg.calls
    .flatMap((c) => [c.params.text, c.params.caption])
    .filter((t) => typeof t === 'string');
  expect(texts.filter((t) => leaks(t as string))).toEqual([]);
}

function privateChat(x: E2E, id: number, lang = 'en'): { chat: TgChat; user: TgUser } {
  const user = x.tg.user(id, { lang, name: `User${id}` });
  return { chat: x.tg.privateChat(user), user };
}

/** Sends a prompt and waits for the agent's reply. */
async function generate(x: E2E, chat: TgChat, user: TgUser, prompt = PROMPT): Promise<void> {
  x.tg.sendText(chat, user, prompt);
  await x.waitText(chat.id, new RegExp(REPLY.slice(0, 20)));
  await x.engine.idle();
}

describe('telegram end to end', () => {
  it('a private chat: a 30-second promo through heartbeats to the reply', async () => {
    e = await startE2E({ nemo: { generateMs: 150, replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    await generate(e, chat, user);
    const texts = e.texts(chat.id);
    expect(texts.some((t) => t.startsWith('⏳ Still working'))).toBe(true);
    const reply = texts.findIndex((t) => t.includes(REPLY));
    expect(reply).toBeGreaterThan(texts.findIndex((t) => t.startsWith('⏳ Still working')));
    // Results are new messages (edits do not notify), the last one with the Export button.
    const last = e.tg.calls.filter((c) => c.method === 'sendMessage').at(-1)!;
    expect(JSON.stringify(last.params.reply_markup)).toMatch(/"callback_data":"export\|[\w-]{8}"/);
    expect(e.nemo.chats.map((c) => c.text)).toEqual([PROMPT]);
    expect(e.tg.calls.some((c) => c.method === 'sendChatAction')).toBe(true);
  });

  it('uploads a photo (streamed from Telegram) and sends its caption after it', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    e.tg.sendPhoto(chat, user, { caption: 'make a 10-second clip from this' });
    await e.waitText(chat.id, new RegExp(REPLY.slice(0, 20)));
    await e.engine.idle();
    expect(e.nemo.uploads).toHaveLength(1);
    expect(e.nemo.uploads[0]!.bytes.equals(tinyJpeg())).toBe(true);
    expect(e.nemo.chats.map((c) => c.text)).toEqual(['make a 10-second clip from this']);
  });

  it('"导出" in a Chinese chat renders and sends the MP4 byte for byte', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 8, 'zh-hans');
    await generate(e, chat, user);
    e.tg.sendText(chat, user, '导出');
    const video = await e.tg.waitFor('sendVideo', (c) => c.status === 200);
    expect(video.files.video?.bytes.equals(e.nemo.mp4())).toBe(true);
    expect(video.params).toMatchObject({ chat_id: 8, supports_streaming: true });
    await e.engine.idle();
    expect(e.texts(chat.id).some((t) => /渲染/.test(t))).toBe(true);
    expect(e.nemo.chats).toHaveLength(1); // export skips the agent
  });

  it('an album of three photos with one caption is ONE request', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    e.tg.sendAlbum(chat, user, 3, 'three product images into a 1080p MP4');
    await e.waitText(chat.id, new RegExp(REPLY.slice(0, 20)));
    await e.engine.idle();
    expect(e.nemo.uploads).toHaveLength(3);
    expect(e.nemo.chats.map((c) => c.text)).toEqual(['three product images into a 1080p MP4']);
  });

  it("answers credits in chat B while chat A's slow turn runs", async () => {
    e = await startE2E({ nemo: { generateMs: 2_000, replyText: REPLY } });
    const a = privateChat(e, 1);
    const b = privateChat(e, 2);
    e.tg.sendText(a.chat, a.user, PROMPT);
    await e.waitText(a.chat.id, /Still working/);
    e.tg.sendText(b.chat, b.user, '/credits');
    await e.waitText(b.chat.id, /Credits: /);
    expect(e.texts(a.chat.id).some((t) => t.includes(REPLY))).toBe(false);
  });

  it('credits and status', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    e.tg.sendText(chat, user, 'credits');
    await e.waitText(chat.id, /Credits: /);
    await generate(e, chat, user);
    e.tg.sendText(chat, user, '/status');
    await e.waitText(chat.id, /Timeline|Nothing to show/);
  });

  it('refuses a 25 MB file with the limit message, downloading nothing', async () => {
    e = await startE2E();
    const { chat, user } = privateChat(e, 7);
    e.tg.sendDocument(chat, user, {
      fileName: 'long.mp4',
      mimeType: 'video/mp4',
      size: 25 * MB,
      caption: 'cut it',
    });
    await e.waitText(chat.id, /at most 20\.0 MB.*TELEGRAM_LOCAL_API/s);
    await e.engine.idle();
    expect(e.tg.downloads).toEqual([]);
    expect(e.tg.calls.some((c) => c.method === 'getFile')).toBe(false);
    expect(e.nemo.count('upload')).toBe(0);
    expect(e.nemo.chats).toEqual([]);
  });

  it('refuses an unsupported file with the supported formats, downloading nothing', async () => {
    e = await startE2E();
    const { chat, user } = privateChat(e, 7);
    e.tg.sendDocument(chat, user, { fileName: 'setup.exe', mimeType: 'application/x-msdownload' });
    await e.waitText(chat.id, /Supported: /);
    await e.engine.idle();
    expect(e.tg.downloads).toEqual([]);
    expect(e.nemo.count('upload')).toBe(0);
  });

  it('sends a 60 MB render as a link instead of a video', async () => {
    e = await startE2E({ nemo: { replyText: REPLY, mp4PadTo: 60 * MB } });
    const { chat, user } = privateChat(e, 7);
    await generate(e, chat, user);
    e.tg.sendText(chat, user, '/export');
    await e.waitText(chat.id, /https?:\/\/\S+/);
    await e.engine.idle();
    expect(e.tg.calls.some((c) => c.method === 'sendVideo')).toBe(false);
  });

  it('survives a 429 storm (retry_after honoured)', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    e.tg.rateLimit('*', 6, 0.02);
    await generate(e, chat, user);
    expect(e.tg.calls.filter((c) => c.status === 429)).toHaveLength(6);
  });

  it('does not process a re-delivered update twice', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    const update = e.tg.sendText(chat, user, PROMPT);
    await e.waitText(chat.id, new RegExp(REPLY.slice(0, 20)));
    e.tg.redeliver(update);
    e.tg.sendText(chat, user, '/credits');
    await e.waitText(chat.id, /Credits: /);
    await e.engine.idle();
    expect(e.nemo.chats).toHaveLength(1);
    expect(e.nemo.duplicateChats).toEqual([]);
  });

  it('in a group: answers mentions, ignores chatter, and /reset needs an admin', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const team = e.tg.group();
    const bob = e.tg.user(5, { lang: 'en' });
    const boss = e.tg.user(6, { lang: 'en' });
    e.tg.setAdmin(team, boss);
    e.tg.sendText(team, bob, 'who wants lunch?');
    e.tg.sendText(team, bob, `@NemoVideoBot ${PROMPT}`);
    await e.waitText(team.id, new RegExp(REPLY.slice(0, 20)));
    await e.engine.idle();
    expect(e.nemo.chats.map((c) => c.text)).toEqual([PROMPT]);
    e.tg.sendText(team, bob, '/reset');
    await e.waitText(team.id, /Only an admin/);
    e.tg.sendText(team, boss, '/reset');
    await e.waitText(team.id, /next message starts a new project/);
  });

  it('in a group, an admin resets by mention or keyword ("@bot reset", a reply "重置"); a member may not', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const team = e.tg.group();
    const bob = e.tg.user(5, { lang: 'en' });
    const boss = e.tg.user(6, { lang: 'en' });
    e.tg.setAdmin(team, boss);
    e.tg.sendText(team, bob, `@NemoVideoBot ${PROMPT}`);
    await e.waitText(team.id, new RegExp(REPLY.slice(0, 20)));
    await e.engine.idle();
    const botMessage = e.tg.calls.find((c) => c.method === 'sendMessage' && c.params.chat_id === team.id)!;
    const replyTo = (botMessage.result as { message_id: number }).message_id;
    const count = (pattern: RegExp) => e!.texts(team.id).filter((t) => pattern.test(t)).length;

    e.tg.sendText(team, bob, '@NemoVideoBot reset');
    await e.waitText(team.id, /Only an admin/);
    e.tg.sendText(team, bob, '重置', { replyTo });
    await e.waitText(team.id, /只有本聊天的管理员/);
    e.tg.sendText(team, boss, '@NemoVideoBot reset');
    await e.waitText(team.id, /next message starts a new project/);
    e.tg.sendText(team, boss, '重置', { replyTo });
    await e.waitText(team.id, /下一条消息将开始一个新项目/);
    await e.engine.idle();
    expect([count(/Only an admin|只有本聊天的管理员/), count(/new project|新项目/)]).toEqual([2, 2]);
    // The keywords never reached the agent; Telegram was asked once per reset, never for the prompt.
    expect(e.nemo.chats.map((c) => c.text)).toEqual([PROMPT]);
    expect(e.tg.calls.filter((c) => c.method === 'getChatMember')).toHaveLength(4);
  });

  it('a Chinese writer with an English locale gets the limit notices in Chinese', async () => {
    e = await startE2E({ nemo: { replyText: REPLY, mp4PadTo: 60 * MB } });
    const { chat, user } = privateChat(e, 9, 'en');
    e.tg.sendDocument(chat, user, {
      fileName: 'long.mp4',
      mimeType: 'video/mp4',
      size: 25 * MB,
      caption: '把这个视频剪短一点',
    });
    const refusal = await e.waitText(chat.id, /20\.0 MB/);
    expect(refusal).toMatch(/\p{Script=Han}/u);
    expect(refusal).toContain('Telegram');
    await generate(e, chat, user, '给我的蜡烛店做一个30秒的宣传视频');
    e.tg.sendText(chat, user, '导出');
    const link = await e.waitText(chat.id, /https?:\/\/\S+/);
    await e.engine.idle();
    // The size shows when the render said it; this fake's render only tells it by the aborted download.
    expect(link).toMatch(/^🎬 你的视频(?:（60\.0 MB）)?超过了 Telegram 机器人 50\.0 MB 的上传限制/);
    expect(e.tg.calls.some((c) => c.method === 'sendVideo')).toBe(false);
    expect(e.tg.downloads).toEqual([]);
  });

  it('inline buttons: a press becomes the command and the callback is answered', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { chat, user } = privateChat(e, 7);
    await generate(e, chat, user);
    const withButtons = e.tg.calls.find(
      (c) => c.method === 'sendMessage' && c.params.reply_markup && c.status === 200,
    );
    expect(withButtons).toBeDefined();
    const messageId = (withButtons!.result as { message_id: number }).message_id;
    e.tg.pressButton(chat, user, messageId, 'credits');
    await e.waitText(chat.id, /Credits: /);
    await e.tg.waitFor('answerCallbackQuery');
  });

  it('webhook mode: an update POSTed to the mounted handler is answered; a wrong secret is refused', async () => {
    e = await startE2E({ webhook: true, env: { TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-abcdef' } });
    const { chat, user } = privateChat(e, 7);
    const update = e.tg.sendText(chat, user, '/credits');
    await e.waitText(chat.id, /Credits: /);
    expect(e.tg.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    expect(await e.tg.postWebhook({ ...update, update_id: 424242 }, 'not-the-secret')).toBe(401);
  });
});
