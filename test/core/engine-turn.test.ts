import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Agent turns end to end: the real client against the fake NemoVideo, a memory store, a recording chat.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

describe('an agent turn', () => {
  it('relays a generation: Connecting… once, the agent text, then the Export/Status buttons', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const texts = chat.texts();
    expect(texts[0]).toBe(en.connecting);
    // Tool calls never reach the chat, only the agent's text.
    expect(texts.join('\n')).not.toMatch(/functionCall|generate_video|tool/i);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    const last = chat.log.at(-1);
    expect(last?.buttons).toEqual(['export', 'status']);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT]);

    await h.engine.handle(inbound(chat, 'add a title "Grand Opening"'), chat);
    expect(chat.texts().filter((t) => t === en.connecting)).toHaveLength(1);
    expect(h.fake.count('session')).toBe(1);
    expect(h.fake.chats).toHaveLength(2);
  });

  it('answers in Chinese and creates a Chinese session when the user writes Chinese', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '给我的蜡烛店做一个30秒的宣传视频'), chat);
    expect(chat.texts()[0]).toBe(zh.connecting);
    const session = h.fake.requests.find((r) => r.path.includes('/with-session/'));
    expect(JSON.parse(session?.body.toString() ?? '{}').language).toBe('zh-CN');
    expect(chat.log.at(-1)?.text).toBe(zh.readyToExport);
  });

  it('posts "Still working" once and then edits it while a long generation runs', async () => {
    h = await harness({ fake: { generateMs: 400, heartbeatMs: 10 }, env: { HEARTBEAT_INTERVAL_MS: '60' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const beats = chat.log.filter((p) => p.text.startsWith('⏳ Still working'));
    const first = beats[0];
    expect(first?.kind).toBe('send');
    expect(first?.text).toBe('⏳ Still working...');
    const edits = beats.filter((p) => p.kind === 'edit');
    expect(edits.length).toBeGreaterThanOrEqual(1);
    for (const e of edits) {
      expect(e.id).toBe(first?.id);
      expect(e.text).toMatch(/^⏳ Still working\.\.\. \(\d+(s| min)\)$/);
    }
    // One status message, not one per beat.
    expect(beats.filter((p) => p.kind === 'send')).toHaveLength(1);
  });

  it('after a silent edit, summarises only what changed', async () => {
    h = await harness({ fake: { silentEdits: true } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const before = chat.log.length;
    await h.engine.handle(inbound(chat, 'add a title "Grand Opening"'), chat);
    const after = chat.log.slice(before).map((p) => p.text);
    expect(after).toHaveLength(1);
    const text = after[0] ?? '';
    expect(text.startsWith(en.changes(''))).toBe(true);
    expect(text).toMatch(/Added: Title: "Grand Opening" \(0-3s\)/);
    // The untouched video and music tracks are not named.
    expect(text).not.toMatch(/Video|BGM|candle/);
  });

  it('names a replaced music track as changed', async () => {
    h = await harness({ fake: { silentEdits: true } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const before = chat.log.length;
    await h.engine.handle(inbound(chat, 'add some lo-fi background music'), chat);
    const text = chat.log.slice(before)[0]?.text ?? '';
    expect(text).toMatch(/BGM/);
    expect(text).toMatch(/Lo-fi Chill/);
    expect(text).not.toMatch(/Title|Video:/);
  });
  it('a stream with only heartbeats for SSE_STUCK_MS: the user is told and the turn ends', async () => {
    h = await harness({ fake: { generateMs: 3_000 }, env: { SSE_STUCK_MS: '150' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    expect(chat.texts()).toContain(en.stuck);
    expect(chat.texts().at(-1)).toBe(en.stuck);
    const record = (await h.store.get('chat:term:test')) as { inFlight?: unknown };
    expect(record.inFlight).toBeUndefined();
  });

  it('drops the trailing "temporary issue" text after real work', async () => {
    h = await harness({ fake: { trailingIssue: true } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    expect(chat.texts().join('\n')).not.toMatch(/temporary issue/);
    expect(chat.texts().some((t) => t.startsWith('Your 30-second promo is ready'))).toBe(true);
  });
});

describe('GUI phrases of the agent', () => {
  async function turnWithReply(replyText: string, text = PROMPT) {
    h = await harness({ fake: { replyText } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, text), chat);
    return chat;
  }

  it('"Click the Export button" runs the export (and is not shown)', async () => {
    const chat = await turnWithReply('Your video is ready! Click the Export button to download your video.');
    expect(chat.texts().join('\n')).not.toMatch(/Click the Export button/);
    expect(chat.texts()).toContain('Your video is ready!');
    expect(h.fake.count('render')).toBe(1);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });

  it('点击导出按钮 runs the export in a Chinese chat', async () => {
    const chat = await turnWithReply(
      '视频已经生成好了。点击导出按钮即可下载。',
      '给我做一个蜡烛店的宣传视频',
    );
    expect(chat.texts().join('\n')).not.toMatch(/点击导出按钮/);
    expect(h.fake.count('render')).toBe(1);
    expect(chat.log.find((p) => p.kind === 'video')?.text).toBe(zh.videoCaption);
  });

  it('"preview it in the timeline" shows the track summary', async () => {
    const chat = await turnWithReply('Done! You can preview it in the timeline.');
    expect(chat.texts()).toContain('Done!');
    expect(chat.texts().join('\n')).toMatch(/Timeline \(3 tracks\):/);
    expect(chat.texts().join('\n')).not.toMatch(/preview it in the timeline/);
  });

  it('"open the settings panel" queries the state and summarises it', async () => {
    const chat = await turnWithReply('Open the Settings panel to change the resolution.');
    expect(chat.texts().join('\n')).toMatch(/Timeline \(3 tracks\):/);
    expect(chat.texts().join('\n')).not.toMatch(/Settings panel/);
  });

  it('"drag the clip" asks the user to describe the edit; nothing is sent for them', async () => {
    const chat = await turnWithReply('Drag the clip to the start of the timeline to reorder it.');
    expect(chat.texts()).toContain(en.describeEdit);
    expect(h.fake.chats).toHaveLength(1);
  });

  it('a bare mention of export keeps the text and offers the Export button', async () => {
    const chat = await turnWithReply('Once you are happy with it, you can export it as an MP4.');
    const offer = chat.log.find((p) => p.text.startsWith('Once you are happy'));
    expect(offer?.buttons).toEqual(['export']);
    expect(h.fake.count('render')).toBe(0);
  });
});

describe('an error the stream ends on', () => {
  it.each([
    ['en', 'hello there', undefined],
    ['zh', '你好', 'zh-CN'],
  ] as const)('after some text is told as a failed turn (%s)', async (lang, prompt, locale) => {
    h = await harness({ fake: { replyText: 'Working on it.' } });
    const chat = recordingChat();
    // `Working on it.` then `data: {"error": …}` and the stream ends.
    h.fake.options.faults = [{ route: 'chat', streamError: 'internal error', disconnectAfterEvents: 1 }];
    await h.engine.handle(inbound(chat, prompt, locale ? { locale } : {}), chat);
    const texts = chat.texts();
    expect(texts).toContain('Working on it.');
    expect(texts.at(-1)).toBe((lang === 'zh' ? zh : en).agentError);
    expect(texts.indexOf('Working on it.')).toBeLessThan(texts.length - 1);
  });

  it('before any text is told as before', async () => {
    h = await harness();
    const chat = recordingChat();
    h.fake.options.faults = [{ route: 'chat', streamError: 'internal error', disconnectAfterEvents: 0 }];
    await h.engine.handle(inbound(chat, 'hello there'), chat);
    expect(chat.texts().at(-1)).toBe(en.agentError);
  });
});
