import { afterEach, describe, expect, it } from 'vitest';
import { decodeButton, encodeButton, MAX_PAYLOAD_BYTES } from '../../src/core/buttons.ts';
import { projectTag } from '../../src/core/loop.ts';
import { ACTION_TABLE, actionSpec, RESULT_ACTIONS, VIDEO_ACTIONS } from '../../src/i18n/actions.ts';
import { loopEn } from '../../src/i18n/loop.en.ts';
import { loopZh } from '../../src/i18n/loop.zh.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness } from './engine-harness.ts';
import { buttonOn, loopChat, press, typed } from './loop-helpers.ts';

// Acting on a result: each button sends the agent its own instruction (never the user's earlier message
// again), visibly; a press on a project that was reset is refused; paid actions can ask first.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const BRIEF = 'make a 30-second promo for my candle shop';

describe('button payloads', () => {
  it('round-trip every action with a project tag within 64 bytes', () => {
    const tag = projectTag('123456789012345678901234567890')!;
    for (const a of ACTION_TABLE) {
      const payload = encodeButton({ action: a.name, data: `${tag}.y` });
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(decodeButton(payload)).toEqual({ action: a.name, data: `${tag}.y` });
    }
    // Buttons of earlier versions (bare names) still decode; anything else does not.
    expect(decodeButton('export')).toEqual({ action: 'export' });
    expect(decodeButton('rm -rf')).toBeUndefined();
    expect(decodeButton('vertical|a b')).toBeUndefined();
    expect(decodeButton(`again|${'x'.repeat(70)}`)).toBeUndefined();
  });
});

describe('result actions', () => {
  it('a finished result carries the actions, tagged with its project, replying to the asker', async () => {
    h = await harness();
    const chat = loopChat();
    const msg = typed(chat, BRIEF);
    await h.engine.handle(msg, chat);
    const card = chat.log.at(-1)!;
    expect(card.buttons).toEqual([...RESULT_ACTIONS]);
    const record = (await h.store.get('chat:tg:777')) as { sessionId: string };
    const tag = projectTag(record.sessionId);
    expect(card.raw?.every((b) => b.data === tag)).toBe(true);
    expect(card.replyTo).toEqual({ userId: 'u1', name: 'Alice', messageId: msg.messageId });
  });

  it('each button sends its own instruction as a new, visible request — never the earlier message', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    for (const action of ['vertical', 'square', 'landscape', 'shorter', 'longer'] as const) {
      const before = h.fake.chats.length;
      const b = buttonOn(chat.log, action);
      await h.engine.handle(press(chat, b, { name: 'Bob', id: 'u2' }), chat);
      const spec = actionSpec(action);
      // Exactly one new agent message, and it is this button's instruction.
      expect(h.fake.chats.slice(before).map((c) => c.text)).toEqual([spec.instruction!.en(BRIEF)]);
      expect(chat.texts()).toContain(loopEn.actionBy(spec.icon, spec.label.en, 'Bob'));
    }
    expect(h.fake.chats.filter((c) => c.text === BRIEF)).toHaveLength(1);
  });

  it('Another take names the brief, in the user’s language', async () => {
    h = await harness();
    const chat = loopChat('tg:778');
    const zhBrief = '为我的蜡烛店制作一个30秒的宣传视频';
    await h.engine.handle(typed(chat, zhBrief, { locale: 'zh-CN' }), chat);
    await h.engine.handle(press(chat, buttonOn(chat.log, 'again'), { locale: 'zh-CN', name: '小明' }), chat);
    expect(h.fake.chats.at(-1)?.text).toBe(actionSpec('again').instruction!.zh(zhBrief));
    expect(chat.texts()).toContain(loopZh.againBy(zhBrief, '小明'));
  });

  it('a press on a project that was reset says so and sends nothing', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    const old = buttonOn(chat.log, 'vertical');
    const oldExport = buttonOn(chat.log, 'export');
    await h.engine.handle(typed(chat, '/reset', {}, { command: { name: 'reset' } }), chat);
    // Deleted project: no project at all now.
    const sent = h.fake.chats.length;
    await h.engine.handle(press(chat, old), chat);
    expect(chat.log.at(-1)).toMatchObject({ text: loopEn.staleButton, ephemeral: true });
    // A new project: the old buttons still must not touch it.
    await h.engine.handle(typed(chat, 'make a teaser for the spring sale'), chat);
    const afterNew = h.fake.chats.length;
    expect(afterNew).toBe(sent + 1);
    await h.engine.handle(press(chat, old), chat);
    await h.engine.handle(press(chat, oldExport), chat);
    expect(h.fake.chats.length).toBe(afterNew);
    expect(h.fake.count('render')).toBe(0);
    expect(chat.texts().filter((t) => t === loopEn.staleButton)).toHaveLength(3);
  });

  it('buttons under old messages still work after a restart (the press carries all it needs)', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    const old = buttonOn(chat.log, 'shorter');
    await h.engine.close();
    const second = h.restart();
    const chat2 = loopChat();
    const before = h.fake.chats.length;
    await second.handle(press(chat2, old), chat2);
    expect(h.fake.chats.slice(before).map((c) => c.text)).toEqual([
      actionSpec('shorter').instruction!.en(BRIEF),
    ]);
    expect(chat2.texts()).not.toContain(loopEn.staleButton);
  });

  it('a button of an unknown format, and a project-less tag, get a clear answer', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(press(chat, { action: 'unknown' }), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.unknownButton);
    await h.engine.handle(press(chat, { action: 'again', data: 'AAAAAAAA' }), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.staleButton);
    expect(h.fake.chats).toHaveLength(0);
  });

  it('with CONFIRM_PAID_ACTIONS a paid action asks first; Cancel sends nothing, Yes runs it once', async () => {
    h = await harness({ env: { CONFIRM_PAID_ACTIONS: 'true' } });
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    const sent = h.fake.chats.length;
    await h.engine.handle(press(chat, buttonOn(chat.log, 'vertical')), chat);
    const ask = chat.log.at(-1)!;
    expect(ask.text).toBe(loopEn.confirmPaid('Vertical 9:16'));
    expect(ask.buttons).toEqual(['vertical', 'dismiss']);
    expect(h.fake.chats.length).toBe(sent);
    await h.engine.handle(press(chat, { action: 'dismiss' }), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.dismissed);
    expect(h.fake.chats.length).toBe(sent);
    await h.engine.handle(press(chat, ask.raw![0]!), chat);
    expect(h.fake.chats.slice(sent).map((c) => c.text)).toEqual([
      actionSpec('vertical').instruction!.en(BRIEF),
    ]);
  });

  it('Edit… asks for a reply; text from a modal goes to the agent as written, shown to the chat', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    const edit = buttonOn(chat.log, 'edit');
    await h.engine.handle(press(chat, edit), chat);
    expect(chat.log.at(-1)).toMatchObject({ text: loopEn.editAsk, ask: true });
    const sent = h.fake.chats.length;
    await h.engine.handle(press(chat, { ...edit, text: 'make the title red' }, { name: 'Bob' }), chat);
    expect(h.fake.chats.slice(sent).map((c) => c.text)).toEqual(['make the title red']);
    expect(chat.texts()).toContain(loopEn.editBy('Bob', 'make the title red'));
  });

  it('Export under a result exports that project; the posted video carries its actions and tells the asker', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    const exporter = press(chat, buttonOn(chat.log, 'export'), { id: 'u9', name: 'Carol' });
    await h.engine.handle(exporter, chat);
    const video = chat.log.find((p) => p.kind === 'video')?.video;
    expect(video?.buttons?.map((b) => (typeof b === 'string' ? b : b.action))).toEqual([...VIDEO_ACTIONS]);
    // A press has no message of the user's to reply to: the asker is named for a mention.
    expect(video?.replyTo).toEqual({ userId: 'u9', name: 'Carol' });
    expect(h.fake.count('render')).toBe(1);
  });

  it('receipts: 👀 while the work runs, then done; failed when the work failed', async () => {
    h = await harness();
    const chat = loopChat();
    const first = typed(chat, BRIEF);
    await h.engine.handle(first, chat);
    expect(chat.receipts).toEqual([
      { messageId: first.messageId, receipt: 'working' },
      { messageId: first.messageId, receipt: 'done' },
    ]);
    h.fake.options.renderFails = true;
    const exp = typed(chat, '/export', {}, { command: { name: 'export' } });
    await h.engine.handle(exp, chat);
    expect(chat.receipts.slice(2)).toEqual([
      { messageId: exp.messageId, receipt: 'working' },
      { messageId: exp.messageId, receipt: 'failed' },
    ]);
    // The failure itself replies to the one who asked.
    const failure = chat.log.filter((p) => p.kind === 'send').at(-1);
    expect(failure?.text).toBe(
      en.errors.render_failed({ operator: false, platform: 'telegram', formats: '', maxMb: 0 }),
    );
    expect(failure?.replyTo?.messageId).toBe(exp.messageId);
  });
});
