import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Commands that never reach the agent: help, upload, lang, reset, open, and an unreadable saved record.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

describe('commands', () => {
  it('help lists what the bot does and the seed’s examples, in the user’s language', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '/start'), chat);
    await h.engine.handle(inbound(chat, '帮助'), chat);
    const [first, second] = chat.texts();
    expect(first).toContain('generate a 30-second promotional video from this product description');
    expect(first).toMatch(/\/export/);
    expect(second).toContain('试着说');
    expect(h.fake.requests).toHaveLength(0);
  });

  it('upload explains how to send a file, with the formats and the limit', async () => {
    h = await harness({ env: { MAX_UPLOAD_MB: '50' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'upload'), chat);
    expect(chat.texts()[0]).toMatch(/mp4, mov.*Up to 50 MB/);
    // The harness speaks as the terminal, which has no attach button: it is told the /upload syntax.
    expect(chat.texts()[0]).toContain('/upload <file path or https URL>');
  });

  it('a mistyped slash command is answered locally and never reaches the (paid) agent', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '/exprot'), chat);
    await h.engine.handle(inbound(chat, '/剪辑'), chat);
    expect(chat.texts()[0]).toBe(en.unknownCommand('exprot'));
    expect(chat.texts()[1]).toBe(zh.unknownCommand('剪辑'));
    expect(h.fake.chats).toHaveLength(0);
  });

  it('lang: shows the current language, sets it for the chat, refuses non-admins', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '/lang'), chat);
    expect(chat.texts().at(-1)).toBe(en.langCurrent('English', false));
    await h.engine.handle(inbound(chat, '/lang zh', { isAdmin: false }), chat);
    expect(chat.texts().at(-1)).toBe(en.adminOnly);
    await h.engine.handle(inbound(chat, '/lang 中文'), chat);
    expect(chat.texts().at(-1)).toBe(zh.langSet('中文'));
    // An English message now gets a Chinese answer, and the session is created in Chinese.
    await h.engine.handle(inbound(chat, 'credits'), chat);
    expect(chat.texts().at(-1)).toMatch(/^💳 积分/);
    await h.engine.handle(inbound(chat, '/lang klingon'), chat);
    expect(chat.texts().at(-1)).toBe(zh.langUnknown);
  });

  it('reset: the next prompt starts a new session (Connecting… again); refused while a turn runs', async () => {
    h = await harness({ fake: { generateMs: 200 } });
    const chat = recordingChat();
    const turn = h.engine.handle(inbound(chat, PROMPT), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    await h.engine.handle(inbound(chat, '/reset'), chat);
    expect(chat.texts().at(-1)).toBe(en.resetBusy);
    await turn;
    await h.engine.handle(inbound(chat, '/reset'), chat);
    expect(chat.texts().at(-1)).toBe(en.resetDone);
    await h.engine.handle(inbound(chat, 'status'), chat);
    expect(chat.texts().at(-1)).toBe(en.nothingYet);
    await h.engine.handle(inbound(chat, PROMPT), chat);
    expect(chat.texts().filter((t) => t === en.connecting)).toHaveLength(2);
    expect(h.fake.count('session')).toBe(2);
  });

  it('open: a private link to the project in the web editor', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, '/open'), chat);
    const last = chat.log.at(-1);
    expect(last?.text).toMatch(/https:\/\/nemovideo\.com\/workspace\/claim\?ct=\S+/);
    expect(last?.private).toBe(true);
    expect(last?.kind).toBe('private');
  });

  it('status after a generation shows the timeline and offers Export', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'show tracks'), chat);
    const last = chat.log.at(-1);
    expect(last?.text).toMatch(
      /^Timeline \(3 tracks\):\n1\. Video: .*\n2\. BGM: Upbeat Corporate \(0-30s, 35%\)/,
    );
    expect(last?.buttons).toEqual(['export']);
  });

  it('an unreadable saved record: start fresh and say the timeline is gone', async () => {
    h = await harness();
    await h.store.set('chat:term:test', { v: 0, sessionId: 'ancient' });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'status'), chat);
    expect(chat.texts()).toEqual([en.staleRecord, en.nothingYet]);
    await h.engine.handle(inbound(chat, 'status'), chat);
    expect(chat.texts().filter((t) => t === en.staleRecord)).toHaveLength(1);
  });

  it('buttons come back as commands and never reach the agent', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, '', { command: 'status' }), chat);
    await h.engine.handle(inbound(chat, '', { command: 'credits' }), chat);
    await h.engine.handle(inbound(chat, '', { command: 'export' }), chat);
    expect(h.fake.chats).toHaveLength(1);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });
});
