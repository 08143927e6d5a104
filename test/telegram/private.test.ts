import { afterEach, describe, expect, it } from 'vitest';
import type { TgChat, TgUser } from '../fakes/telegram/server.ts';
import { type E2E, startE2E } from './e2e-harness.ts';

// Private things stay private (issue 10): the /open claim link and token trouble reach only the person who
// asked. In a group that is a DM (sendMessage to the user's id); a user who never started the bot cannot be
// messaged first (Telegram: 403), so the group is told where to get it — without the link.

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const REPLY = 'Here is your draft.';
const CLAIM = /https:\/\/nemovideo\.com\/workspace\/claim\?ct=\S+/;

/** Every text the bot sent anywhere, with where it went. */
const sent = (x: E2E) =>
  x.tg.calls
    .filter((c) => c.method === 'sendMessage')
    .map((c) => ({ chatId: Number(c.params.chat_id), text: String(c.params.text), status: c.status }));

async function projectInGroup(x: E2E): Promise<{ group: TgChat; ann: TgUser }> {
  const ann = x.tg.user(31, { name: 'Ann' });
  const group = x.tg.group();
  x.tg.sendText(group, ann, '@NemoVideoBot make a 10-second promo for my candle shop');
  await x.waitText(group.id, new RegExp(REPLY));
  await x.engine.idle();
  return { group, ann };
}

describe('private delivery on Telegram', () => {
  it('/open in a group goes to the asker by DM; the group never sees the link', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { group, ann } = await projectInGroup(e);
    e.tg.privateChat(ann); // Ann has pressed Start in a private chat with the bot
    e.tg.sendText(group, ann, '/open');
    const dm = await e.waitText(ann.id, CLAIM);
    await e.engine.idle();
    expect(dm).toMatch(/for you only/);
    expect(sent(e).filter((m) => m.chatId === group.id && CLAIM.test(m.text))).toEqual([]);
    expect(sent(e).filter((m) => m.chatId === group.id && /private chat/.test(m.text))).toEqual([]);
  });

  it('a user who never started the bot: 403, and the group is told where to get it, without the link', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { group, ann } = await projectInGroup(e);
    e.tg.sendText(group, ann, '/open');
    const hint = await e.waitText(group.id, /private chat/);
    await e.engine.idle();
    expect(hint).toBe(
      '🔒 That answer is for you only, and I can’t message you privately yet: open a private chat with @NemoVideoBot and send /open there.',
    );
    const tried = sent(e).filter((m) => m.chatId === ann.id);
    expect(tried.map((m) => m.status)).toEqual([403]);
    expect(sent(e).filter((m) => m.status === 200 && CLAIM.test(m.text))).toEqual([]);
    // Once Ann starts the bot, the same command reaches her.
    e.tg.privateChat(ann);
    e.tg.sendText(group, ann, '/open');
    await e.waitText(ann.id, CLAIM);
  });

  it('the hint follows the chat’s language; a blocked bot counts as unreachable too', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const ann = e.tg.user(32, { name: 'Ann', lang: 'zh-hans' });
    const group = e.tg.group();
    e.tg.privateChat(ann);
    e.tg.blockBot(ann);
    e.tg.sendText(group, ann, '@NemoVideoBot 给我的蜡烛店做一个10秒的宣传视频');
    await e.waitText(group.id, new RegExp(REPLY));
    await e.engine.idle();
    e.tg.sendText(group, ann, '/open');
    const hint = await e.waitText(group.id, /私聊/);
    expect(hint).toContain('@NemoVideoBot');
    expect(hint).toContain('/open');
    expect(sent(e).filter((m) => m.status === 200 && CLAIM.test(m.text))).toEqual([]);
  });

  it('an anonymous group admin (writing as the group) is never "DMed" in the group itself', async () => {
    e = await startE2E({ nemo: { replyText: REPLY } });
    const { group } = await projectInGroup(e);
    // An anonymous admin's message comes from the group: its id is the group's, not a user's.
    const asGroup = { id: group.id, is_bot: false, first_name: 'Group' } as TgUser;
    e.tg.sendText(group, asGroup, '/open');
    await e.waitText(group.id, /private chat/);
    await e.engine.idle();
    expect(sent(e).filter((m) => CLAIM.test(m.text))).toEqual([]);
  });

  it('token trouble (the operator token rejected) goes by DM too, never the token itself', async () => {
    e = await startE2E({ nemo: { replyText: REPLY }, env: { NEMO_TOKEN: 'nmv_op_wrong_token_123456' } });
    const ann = e.tg.user(33, { name: 'Ann' });
    const group = e.tg.group();
    e.tg.privateChat(ann);
    e.tg.sendText(group, ann, '@NemoVideoBot make a promo');
    const dm = await e.waitText(ann.id, /rejected the token of this bot’s operator/);
    await e.engine.idle();
    expect(dm).not.toContain('nmv_op_wrong_token_123456');
    expect(e.texts(group.id).some((t) => /rejected/.test(t))).toBe(false);
    expect(e.nemo.chats).toEqual([]);
  });
});
