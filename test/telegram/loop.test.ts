import { afterEach, describe, expect, it } from 'vitest';
import { actionSpec } from '../../src/i18n/actions.ts';
import { COMMAND_TABLE } from '../../src/i18n/commands.ts';
import { loopEn } from '../../src/i18n/loop.en.ts';
import { SAMPLE_META } from '../fakes/nemo/mp4.ts';
import type { TgChat, TgUser } from '../fakes/telegram/server.ts';
import { type E2E, startE2E } from './e2e-harness.ts';

// The everyday loop on Telegram, end to end (real grammY, adapter, engine and client against the fakes):
// result buttons that carry their project, receipts as reactions, the requester told by a reply, sendVideo's
// size and length from the MP4, menus per scope, the /settings keyboard and ForceReply prompts.

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const PROMPT = 'make a 30-second promo for my candle shop';

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };

const sends = (x: E2E, chatId: number) =>
  x.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === chatId && c.status === 200);

/** The newest message in the chat whose keyboard has a button of `action`, and that button's data. */
function button(x: E2E, chatId: number, action: string): { messageId: number; data: string } {
  for (const c of [...x.tg.calls].reverse()) {
    if (c.status !== 200 || c.params.chat_id !== chatId) continue;
    const kb = c.params.reply_markup as Keyboard | undefined;
    const b = kb?.inline_keyboard?.flat().find((k) => k.callback_data.split('|')[0] === action);
    if (b) return { messageId: (c.result as { message_id: number }).message_id, data: b.callback_data };
  }
  throw new Error(`no ${action} button in chat ${chatId}`);
}

async function generated(x: E2E, chat: TgChat, user: TgUser): Promise<number> {
  const update = x.tg.sendText(chat, user, PROMPT);
  await x.tg.waitFor('sendMessage', (c) => Boolean((c.params.reply_markup as Keyboard)?.inline_keyboard));
  await x.engine.idle();
  return (update.message as { message_id: number }).message_id;
}

describe('telegram: the everyday loop', () => {
  it('a result carries the actions; a press sends the agent that instruction, visibly', async () => {
    e = await startE2E();
    const user = e.tg.user(7, { name: 'Alice' });
    const chat = e.tg.privateChat(user);
    const asked = await generated(e, chat, user);
    const card = sends(e, chat.id).at(-1)!;
    const kb = card.params.reply_markup as Keyboard;
    expect(kb.inline_keyboard.flat().map((b) => b.text)).toEqual([
      '🎬 Export',
      '↻ Another take',
      '✏️ Edit…',
      '📱 Vertical 9:16',
      '⏹ Square 1:1',
      '🖥 Landscape 16:9',
      '⏩ Shorter',
      '⏪ Longer',
    ]);
    for (const b of kb.inline_keyboard.flat())
      expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    // The result answers the message that asked (a notification in a busy group).
    expect(card.params.reply_parameters).toEqual({ message_id: asked, allow_sending_without_reply: true });
    // Receipts on the user's message: 👀, then 👍.
    expect(
      e.tg.calls
        .filter((c) => c.method === 'setMessageReaction')
        .map((c) => (c.params.reaction as [{ emoji: string }])[0].emoji),
    ).toEqual(['👀', '👍']);

    const v = button(e, chat.id, 'vertical');
    const before = e.nemo.chats.length;
    e.tg.pressButton(chat, user, v.messageId, v.data);
    await e.waitText(chat.id, /📱 Vertical 9:16 — asked by Alice/);
    await e.engine.idle();
    expect(e.nemo.chats.slice(before).map((c) => c.text)).toEqual([
      actionSpec('vertical').instruction!.en(PROMPT),
    ]);
    await e.tg.waitFor('answerCallbackQuery');
  });

  it('the exported video: width, height and length from the MP4, streaming, its actions, a reply to the asker', async () => {
    e = await startE2E();
    const user = e.tg.user(8);
    const group = e.tg.group({ title: 'Marketing' });
    e.tg.setAdmin(group, user);
    // This group turned reactions off: Telegram refuses them, the bot carries on quietly.
    e.tg.state.noReactions.add(group.id);
    e.tg.sendText(group, user, `@${e.tg.bot.username} ${PROMPT}`);
    await e.tg.waitFor('sendMessage', (c) => Boolean((c.params.reply_markup as Keyboard)?.inline_keyboard));
    await e.engine.idle();
    const exportMsg = e.tg.sendText(group, user, '/export');
    const video = await e.tg.waitFor('sendVideo', (c) => c.status === 200, 5000);
    expect(video.params).toMatchObject({
      width: SAMPLE_META.width,
      height: SAMPLE_META.height,
      duration: SAMPLE_META.duration,
      supports_streaming: true,
      reply_parameters: {
        message_id: (exportMsg.message as { message_id: number }).message_id,
        allow_sending_without_reply: true,
      },
    });
    const kb = video.params.reply_markup as Keyboard;
    expect(kb.inline_keyboard.flat().map((b) => b.callback_data.split('|')[0])).toEqual([
      'again',
      'edit',
      'vertical',
      'square',
      'landscape',
      'shorter',
      'longer',
    ]);
    expect(e.tg.calls.some((c) => c.method === 'sendChatAction' && c.params.action === 'upload_video')).toBe(
      true,
    );
    await e.engine.idle();
    const reactions = e.tg.calls.filter((c) => c.method === 'setMessageReaction');
    expect(reactions.length).toBeGreaterThan(0);
    expect(reactions.every((c) => c.status === 400)).toBe(true);
    // One refusal is enough: the chat is not asked again.
    expect(reactions).toHaveLength(1);
    expect(e.logs.some((l) => /"level":(40|50)/.test(l) && /reaction/i.test(l))).toBe(false);
  });

  it('in a group, the result of a press names the presser with a text mention (they have no message to reply to)', async () => {
    e = await startE2E();
    const alice = e.tg.user(21, { name: 'Alice' });
    const bob = e.tg.user(22, { name: 'Bob' });
    const group = e.tg.group();
    e.tg.sendText(group, alice, `@${e.tg.bot.username} ${PROMPT}`);
    await e.tg.waitFor('sendMessage', (c) => Boolean((c.params.reply_markup as Keyboard)?.inline_keyboard));
    await e.engine.idle();
    const again = button(e, group.id, 'again');
    const cards = sends(e, group.id).length;
    e.tg.pressButton(group, bob, again.messageId, again.data);
    await e.tg.waitFor(
      'sendMessage',
      (c) =>
        sends(e!, group.id).indexOf(c) >= cards &&
        Boolean((c.params.reply_markup as Keyboard)?.inline_keyboard),
    );
    const card = sends(e, group.id).at(-1)!;
    expect(String(card.params.text).startsWith('Bob, ')).toBe(true);
    expect(card.params.entities).toEqual([
      { type: 'text_mention', offset: 0, length: 3, user: { id: 22, is_bot: false, first_name: 'Bob' } },
    ]);
    expect(card.params.reply_parameters).toBeUndefined();
  });

  it('a button of a project that was reset says so; an unknown button too', async () => {
    e = await startE2E();
    const user = e.tg.user(9);
    const chat = e.tg.privateChat(user);
    await generated(e, chat, user);
    const old = button(e, chat.id, 'again');
    e.tg.sendText(chat, user, '/reset');
    await e.waitText(chat.id, /next message starts a new project/);
    const sent = e.nemo.chats.length;
    e.tg.pressButton(chat, user, old.messageId, old.data);
    await e.waitText(chat.id, new RegExp(loopEn.staleButton.slice(0, 30)));
    e.tg.pressButton(chat, user, old.messageId, 'made-by-another-bot');
    await e.waitText(chat.id, new RegExp(loopEn.unknownButton.slice(0, 30)));
    await e.engine.idle();
    expect(e.nemo.chats.length).toBe(sent);
  });

  it('Edit… and brand notes ask with ForceReply; the replies are taken as the edit and the notes', async () => {
    e = await startE2E();
    const user = e.tg.user(10);
    const chat = e.tg.privateChat(user);
    await generated(e, chat, user);
    const edit = button(e, chat.id, 'edit');
    e.tg.pressButton(chat, user, edit.messageId, edit.data);
    const ask = await e.tg.waitFor('sendMessage', (c) => c.params.text === loopEn.editAsk);
    expect(ask.params.reply_markup).toEqual({ force_reply: true, selective: true });
    const askId = (ask.result as { message_id: number }).message_id;
    const before = e.nemo.chats.length;
    e.tg.sendText(chat, user, 'make the title red', { replyTo: askId });
    await e.tg.waitFor('sendMessage', () => e!.nemo.chats.length > before);
    await e.engine.idle();
    expect(e.nemo.chats.slice(before).map((c) => c.text)).toEqual(['make the title red']);

    e.tg.sendText(chat, user, '/settings');
    await e.waitText(chat.id, /house defaults/);
    const notes = button(e, chat.id, 'notes');
    e.tg.pressButton(chat, user, notes.messageId, notes.data);
    const notesAsk = await e.tg.waitFor('sendMessage', (c) => String(c.params.text).startsWith('📝 Reply'));
    e.tg.sendText(chat, user, 'Calm, blue, hand-poured', {
      replyTo: (notesAsk.result as { message_id: number }).message_id,
    });
    await e.waitText(chat.id, /Brand notes: Calm, blue, hand-poured/);
    const aspect = button(e, chat.id, 'set');
    expect(aspect.data).toBe('set|aspect=9:16');
    e.tg.pressButton(chat, user, aspect.messageId, aspect.data);
    await e.waitText(chat.id, /Aspect ratio: 9:16/);
    expect(e.nemo.chats.map((c) => c.text)).not.toContain('Calm, blue, hand-poured');
  });

  it('menus: members see what anyone may run, administrators and private chats everything, EN and ZH', async () => {
    e = await startE2E();
    const menus = e.tg.state.menus;
    const names = (key: string) => menus.get(key)?.commands.map((c) => c.command) ?? [];
    expect([...menus.keys()].sort()).toEqual(
      [
        'all_chat_administrators|',
        'all_chat_administrators|zh',
        'all_private_chats|',
        'all_private_chats|zh',
        'default|',
        'default|zh',
      ].sort(),
    );
    const all = COMMAND_TABLE.map((c) => c.name);
    expect(names('all_chat_administrators|')).toEqual(all);
    expect(names('all_private_chats|zh')).toEqual(all);
    expect(names('default|')).toEqual(COMMAND_TABLE.filter((c) => c.who !== 'admins').map((c) => c.name));
    expect(names('default|')).not.toContain('reset');
    expect(names('default|')).toContain('history');
    expect(menus.get('default|zh')?.commands.find((c) => c.command === 'history')?.description).toMatch(
      /^历史：/,
    );
  });
});

describe('telegram: the answer streamed as it is written', () => {
  const REPLY = 'Here is your 30-second promo draft: product shots, upbeat music and a title.';

  it('private chat: drafts of one draft_id, growing, then the complete message', async () => {
    e = await startE2E({ nemo: { partialText: true, replyText: REPLY } });
    const user = e.tg.user(11);
    const chat = e.tg.privateChat(user);
    e.tg.sendText(chat, user, 'hello, what can you do?');
    await e.waitText(chat.id, /Here is your 30-second promo draft/);
    await e.engine.idle();
    const drafts = e.tg.calls.filter((c) => c.method === 'sendMessageDraft');
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.every((c) => c.status === 200)).toBe(true);
    expect(new Set(drafts.map((c) => c.params.draft_id)).size).toBe(1);
    const texts = drafts.map((c) => String(c.params.text));
    for (let i = 1; i < texts.length; i++) expect(texts[i]!.startsWith(texts[i - 1]!)).toBe(true);
    expect(REPLY.startsWith(texts.at(-1)!)).toBe(true);
    // What stays is the complete message, sent once.
    expect(sends(e, chat.id).filter((c) => c.params.text === REPLY)).toHaveLength(1);
  });

  it('a group gets no drafts; where drafts are refused, one message is edited into the answer', async () => {
    e = await startE2E({ nemo: { partialText: true, replyText: REPLY } });
    const user = e.tg.user(12);
    const group = e.tg.group();
    e.tg.sendText(group, user, `@${e.tg.bot.username} hello, what can you do?`);
    await e.waitText(group.id, /Here is your 30-second promo draft/);
    expect(e.tg.calls.some((c) => c.method === 'sendMessageDraft')).toBe(false);

    e.tg.state.draftsRefused = true;
    const chat = e.tg.privateChat(user);
    e.tg.sendText(chat, user, 'hello, what can you do?');
    await e.waitText(chat.id, /Here is your 30-second promo draft/);
    await e.engine.idle();
    const inChat = e.tg.sent(chat.id).filter((m) => m.text?.startsWith('Here is'));
    // One message, edited as the text grew, ends as the complete answer: no second copy.
    expect(inChat).toHaveLength(1);
    expect(inChat[0]?.text).toBe(REPLY);
    expect(e.tg.calls.some((c) => c.method === 'editMessageText' && c.params.chat_id === chat.id)).toBe(true);
  });
});
