import { Bot, type GrammyError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyJpeg } from '../fakes/telegram/jpeg.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';

// The fake Bot API itself, driven by the real grammY client: if these fail, the e2e tests prove nothing.

let tg: FakeTelegram;
const bots: Bot[] = [];
const bot = (token = tg.token) => {
  const b = new Bot(token, { client: { apiRoot: tg.url } });
  bots.push(b);
  return b;
};

beforeEach(async () => {
  tg = await startFakeTelegram();
});
afterEach(async () => {
  for (const b of bots.splice(0)) if (b.isRunning()) await b.stop();
  await tg.close();
});

describe('fake Telegram Bot API', () => {
  it('answers getMe, and 401 for a wrong token', async () => {
    expect((await bot().api.getMe()).username).toBe('NemoVideoBot');
    await expect(bot('1:wrong').api.getMe()).rejects.toMatchObject({ error_code: 401 });
  });

  it('long-polls: a held getUpdates returns as soon as a user writes, and offsets confirm', async () => {
    const b = bot();
    const poll = b.api.getUpdates({ timeout: 10 });
    await new Promise((r) => setTimeout(r, 30));
    const user = tg.user(7);
    tg.sendText(tg.privateChat(user), user, 'hello');
    const [update] = await poll;
    expect(update?.message?.text).toBe('hello');
    expect(await b.api.getUpdates({ offset: update!.update_id + 1, timeout: 0 })).toEqual([]);
  });

  it('answers 409 to a second long poller', async () => {
    const ctl = new AbortController();
    const first = bot()
      .api.getUpdates({ timeout: 10 }, ctl.signal as never)
      .catch(() => []);
    await new Promise((r) => setTimeout(r, 30));
    await expect(bot().api.getUpdates({ timeout: 10 })).rejects.toMatchObject({ error_code: 409 });
    ctl.abort();
    await first;
  });

  it('resolves attach:// in multipart uploads and records the bytes', async () => {
    tg.privateChat(tg.user(1));
    const bytes = tinyJpeg();
    const sent = await bot().api.sendVideo(1, new InputFile(bytes, 'v.mp4'), {
      supports_streaming: true,
      duration: 3,
    });
    expect(sent.video?.duration).toBe(3);
    const call = await tg.waitFor('sendVideo');
    expect(call.files.video?.bytes.equals(bytes)).toBe(true);
    expect(call.params.supports_streaming).toBe(true);
  });

  it('refuses getFile past 20 MB and serves smaller files', async () => {
    const user = tg.user(7);
    const chat = tg.privateChat(user);
    const big = tg.sendDocument(chat, user, { fileName: 'big.mp4', size: 25 * 1024 * 1024 });
    await expect(bot().api.getFile(big.file.fileId)).rejects.toThrow(/file is too big/);
    const small = tg.sendDocument(chat, user, { fileName: 'a.txt', bytes: Buffer.from('abc') });
    const f = await bot().api.getFile(small.file.fileId);
    const res = await fetch(`${tg.url}/file/bot${tg.token}/${f.file_path}`);
    expect(await res.text()).toBe('abc');
    expect(tg.downloads).toEqual([f.file_path]);
  });

  it('answers 429 with retry_after on demand, 400 for an identical edit, 404 for an unknown method', async () => {
    const api = bot().api;
    tg.privateChat(tg.user(1));
    tg.rateLimit('sendMessage', 1, 7);
    const err = await api.sendMessage(1, 'x').catch((e: GrammyError) => e);
    expect(err).toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });
    const m = await api.sendMessage(1, 'x');
    await expect(api.editMessageText(1, m.message_id, 'x')).rejects.toThrow(/message is not modified/);
    await expect(api.raw.getStarTransactions({})).rejects.toMatchObject({ error_code: 404 });
  });

  it('a user who never started the bot, or blocked it, cannot be messaged privately (403)', async () => {
    const api = bot().api;
    const ann = tg.user(21);
    await expect(api.sendMessage(ann.id, 'hi')).rejects.toMatchObject({
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    tg.privateChat(ann);
    expect((await api.sendMessage(ann.id, 'hi')).text).toBe('hi');
    tg.blockBot(ann);
    await expect(api.sendMessage(ann.id, 'again')).rejects.toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    // Groups are not private chats: no Start needed there.
    expect((await api.sendMessage(tg.group().id, 'to the group')).text).toBe('to the group');
  });
});
