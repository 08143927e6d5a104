import { afterEach, describe, expect, it } from 'vitest';
import { LENGTH_MAX, LENGTH_MIN, NOTES_MAX } from '../../src/core/settings.ts';
import { loopEn } from '../../src/i18n/loop.en.ts';
import { loopZh } from '../../src/i18n/loop.zh.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness } from './engine-harness.ts';
import { buttonOn, type From, type LoopChat, loopChat, press, typed } from './loop-helpers.ts';

// House defaults: set by admins (typed, menu, reply), checked before anything is saved, added visibly to the
// brief that starts a project, and the export delivery (file or link).

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const settings = (chat: LoopChat, arg?: string, from: From = {}) =>
  typed(chat, `/settings${arg ? ` ${arg}` : ''}`, from, {
    command: arg ? { name: 'settings', arg } : { name: 'settings' },
  });

const saved = async (chat: LoopChat) =>
  ((await h.store.get(`chat:${chat.address}`)) as { loop?: { settings?: unknown } } | undefined)?.loop
    ?.settings;

describe('/settings', () => {
  it('shows the defaults with a menu; typed changes are saved and shown', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(settings(chat), chat);
    const shown = chat.log.at(-1)!;
    expect(shown.text).toContain(loopEn.settingsHeading);
    expect(shown.text).toContain(`${loopEn.settingsAspect}: ${loopEn.settingsNone}`);
    expect(shown.raw?.filter((b) => b.action === 'set').map((b) => b.data)).toContain('aspect=9:16');
    await h.engine.handle(settings(chat, 'aspect 9x16'), chat);
    await h.engine.handle(settings(chat, 'length 15s'), chat);
    await h.engine.handle(settings(chat, 'notes Warm, friendly; always say "hand-poured"'), chat);
    await h.engine.handle(settings(chat, 'delivery link'), chat);
    expect(await saved(chat)).toEqual({
      aspect: '9:16',
      lengthSec: 15,
      notes: 'Warm, friendly; always say "hand-poured"',
      delivery: 'link',
    });
    const last = chat.log.at(-1)!.text;
    expect(last).toContain(loopEn.settingsSaved);
    expect(last).toContain(`${loopEn.settingsDelivery}: ${loopEn.deliveryLink}`);
  });

  it('refuses bad values clearly and changes nothing (a 2,000-character brand note included)', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(settings(chat, 'aspect 1:1'), chat);
    const before = await saved(chat);
    const cases: Array<[string, string]> = [
      ['aspect 4:3', loopEn.settingsBadAspect('9:16, 1:1, 16:9')],
      ['length 1000', loopEn.settingsBadLength(LENGTH_MIN, LENGTH_MAX)],
      ['length 2', loopEn.settingsBadLength(LENGTH_MIN, LENGTH_MAX)],
      ['length soon', loopEn.settingsBadLength(LENGTH_MIN, LENGTH_MAX)],
      [`notes ${'x'.repeat(2_000)}`, loopEn.settingsNotesTooLong(2_000, NOTES_MAX)],
      ['lang fr', loopEn.settingsBadLang],
      ['delivery carrier-pigeon', loopEn.settingsBadDelivery],
      ['colour blue', loopEn.settingsBadKey('colour')],
      // One bad line: the good one before it is not saved either.
      ['aspect 16:9\nlength 9999', loopEn.settingsBadLength(LENGTH_MIN, LENGTH_MAX)],
    ];
    for (const [arg, answer] of cases) {
      await h.engine.handle(settings(chat, arg), chat);
      expect(chat.log.at(-1)?.text, arg).toBe(answer);
    }
    // Past MAX_PROMPT_CHARS the message itself is refused before /settings reads it (src/core/attachments.ts).
    const huge = settings(chat, `notes ${'x'.repeat(10_000)}`);
    await h.engine.handle(huge, chat);
    expect(chat.log.at(-1)).toMatchObject({
      text: en.promptTooLong([...huge.text].length, h.config.MAX_PROMPT_CHARS),
      ephemeral: true,
    });
    expect(await saved(chat)).toEqual(before);
    expect(loopEn.settingsNotesTooLong(10_000, NOTES_MAX)).toBe(
      '📝 Brand notes can be at most 500 characters — yours are 10,000. Nothing was changed: shorten them and send again.',
    );
  });

  it('in a group only admins change them (typed or from the menu); anyone may look', async () => {
    h = await harness();
    const chat = loopChat('tg:-100123');
    const member: From = { id: 'u5', name: 'Eve', admin: false };
    await h.engine.handle(settings(chat, undefined, member), chat);
    expect(chat.log.at(-1)?.text).toContain(loopEn.settingsHeading);
    await h.engine.handle(settings(chat, 'aspect 9:16', member), chat);
    expect(chat.log.at(-1)).toMatchObject({ text: en.adminOnly, ephemeral: true });
    await h.engine.handle(press(chat, { action: 'set', data: 'aspect=9:16' }, member), chat);
    expect(chat.log.at(-1)).toMatchObject({ text: en.adminOnly, ephemeral: true });
    await h.engine.handle(press(chat, { action: 'notes' }, member), chat);
    expect(chat.log.at(-1)).toMatchObject({ text: en.adminOnly, ephemeral: true });
    expect(await saved(chat)).toBeUndefined();
    await h.engine.handle(press(chat, { action: 'set', data: 'aspect=9:16' }, { admin: true }), chat);
    expect(await saved(chat)).toEqual({ aspect: '9:16' });
  });

  it('brand notes by reply: only the asked person’s reply to the prompt counts', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(press(chat, { action: 'notes' }), chat);
    const ask = chat.log.at(-1)!;
    expect(ask).toMatchObject({ text: loopEn.settingsNotesAsk(NOTES_MAX), ask: true });
    // Someone else's reply, and a reply to another message, are ordinary messages.
    await h.engine.handle(typed(chat, 'hello there?', { id: 'u2' }, { replyToId: ask.id }), chat);
    expect(await saved(chat)).toBeUndefined();
    await h.engine.handle(typed(chat, 'Calm, blue, no slang', {}, { replyToId: ask.id }), chat);
    expect(await saved(chat)).toEqual({ notes: 'Calm, blue, no slang' });
    expect(h.fake.chats.map((c) => c.text)).not.toContain('Calm, blue, no slang');
  });

  it('adds the defaults, visibly, to the brief that starts a project — not to follow-ups', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(settings(chat, 'aspect 9:16\nlength 15\nnotes Calm, blue'), chat);
    await h.engine.handle(typed(chat, 'make a promo for my candle shop'), chat);
    expect(chat.texts()).toContain(loopEn.defaultsUsed('9:16, 15 s, brand notes'));
    expect(h.fake.chats[0]?.text).toBe(
      'make a promo for my candle shop\n\nHouse defaults for this video: aspect ratio 9:16; about 15 seconds long; brand notes: Calm, blue.',
    );
    await h.engine.handle(typed(chat, 'add a title "Grand Opening"'), chat);
    expect(h.fake.chats[1]?.text).toBe('add a title "Grand Opening"');
    // Another take restates the brief as the user typed it (the defaults already shaped the project).
    await h.engine.handle(press(chat, buttonOn(chat.log, 'again')), chat);
    expect(h.fake.chats[2]?.text).toContain('"make a promo for my candle shop"');
  });

  it('Chinese: the defaults are worded in Chinese for the agent and the chat', async () => {
    h = await harness();
    const chat = loopChat('tg:779');
    await h.engine.handle(settings(chat, 'aspect 16:9', { locale: 'zh-CN' }), chat);
    await h.engine.handle(typed(chat, '为我的花店制作一个宣传视频', { locale: 'zh-CN' }), chat);
    expect(chat.texts()).toContain(loopZh.defaultsUsed('16:9'));
    expect(h.fake.chats[0]?.text).toBe('为我的花店制作一个宣传视频\n\n本视频的默认要求：画幅比例 16:9。');
  });

  it('delivery link: the export is posted as its link, nothing downloaded', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(settings(chat, 'delivery link'), chat);
    await h.engine.handle(typed(chat, 'make a promo for my candle shop'), chat);
    await h.engine.handle(typed(chat, '/export', {}, { command: { name: 'export' } }), chat);
    const video = chat.log.find((p) => p.kind === 'video')?.video;
    expect(video?.path).toBeUndefined();
    expect(video?.url).toMatch(/^http/);
    expect(h.fake.count('download')).toBe(0);
  });

  it('lang and reset: the reply language follows, reset clears everything', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(settings(chat, 'lang zh'), chat);
    expect(chat.log.at(-1)?.text).toContain(loopZh.settingsSaved);
    await h.engine.handle(settings(chat, 'aspect 1:1'), chat);
    await h.engine.handle(settings(chat, 'reset'), chat);
    // Answered in the language in effect when asked.
    expect(chat.log.at(-1)?.text).toContain(loopZh.settingsCleared);
    expect(await saved(chat)).toBeUndefined();
    expect(((await h.store.get(`chat:${chat.address}`)) as { lang?: string }).lang).toBeUndefined();
  });
});
