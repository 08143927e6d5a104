import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Export: progress, the saved MP4, links past the chat's limit, and jobs resumed by another engine.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

describe('export', () => {
  it('renders with visible progress and posts the downloaded MP4 once', async () => {
    h = await harness({ fake: { renderPolls: 3 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const start = chat.log.length;
    await h.engine.handle(inbound(chat, 'export'), chat);
    const log = chat.log.slice(start);
    const status = log[0];
    expect(status?.text).toBe(en.exportStarting);
    const edits = log.filter((p) => p.kind === 'edit');
    expect(edits.every((e) => e.id === status?.id)).toBe(true);
    expect(edits.some((e) => /^🎬 Rendering… \d+% \(\d+s\)$/.test(e.text))).toBe(true);
    // No edit repeats the text before it.
    for (let i = 1; i < edits.length; i++) expect(edits[i]?.text).not.toBe(edits[i - 1]?.text);
    const videos = log.filter((p) => p.kind === 'video');
    expect(videos).toHaveLength(1);
    expect(videos[0]?.bytes?.equals(h.fake.mp4())).toBe(true);
    expect(videos[0]?.video?.path?.startsWith(h.exportDir)).toBe(true);
    // The working copy is the engine's: deleted once posted, so a Telegram/Discord host does not fill up.
    expect(existsSync(videos[0]?.video?.path ?? '')).toBe(false);
    expect(h.fake.count('render')).toBe(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });

  it('posts a link without downloading when the render is over the chat limit', async () => {
    h = await harness({ fake: { mp4PadTo: 50_000, pollShape: 'B' } });
    const chat = recordingChat('tg:42', 10_000);
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    const video = chat.log.find((p) => p.kind === 'video');
    expect(video?.video?.path).toBeUndefined();
    expect(video?.video?.url).toMatch(/^http/);
    // The core says why it is a link, with the chat's limit (the adapter words nothing).
    expect(video?.video?.size).toBeGreaterThan(10_000);
    expect(video?.text).toBe(en.videoOverLimit('terminal', video?.video?.size, 10_000));
    expect((await readdir(h.exportDir, { recursive: true })).filter((f) => f.endsWith('.mp4'))).toEqual([]);
  });

  it('posts a link when the size is unknown and the download passes the limit', async () => {
    h = await harness({ fake: { mp4PadTo: 50_000, pollShape: 'A' } });
    const chat = recordingChat('tg:43', 10_000);
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    const video = chat.log.find((p) => p.kind === 'video');
    expect(video?.video?.path).toBeUndefined();
    expect((await readdir(h.exportDir, { recursive: true })).filter((f) => f.endsWith('.mp4'))).toEqual([]);
  });

  it('status and export with no session: "nothing yet", no session, no render', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'status'), chat);
    await h.engine.handle(inbound(chat, '导出'), chat);
    await h.engine.handle(inbound(chat, '', { command: 'open' }), chat);
    expect(chat.texts()).toEqual([
      en.nothingYet,
      '还没有可导出的内容——请先描述你想要的视频。',
      en.openNothing,
    ]);
    expect(h.fake.count('session')).toBe(0);
    expect(h.fake.count('render')).toBe(0);
  });

  it('export of an empty draft: "nothing to export", no render call', async () => {
    h = await harness({ fake: { replyText: 'Hi! What video would you like?' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'hello there'), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.texts().at(-1)).toBe(en.nothingToExport);
    expect(h.fake.count('render')).toBe(0);
  });
  it('re-keys the job when the backend says the render id is taken', async () => {
    h = await harness({ fake: { duplicateRenderIdOnce: true } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
    const record = (await h.store.get('chat:term:test')) as { jobs: string[] };
    expect(record.jobs).toEqual([]);
  });
});

describe('resume', () => {
  it('a render started by one engine is finished by the next and posted exactly once', async () => {
    h = await harness({ fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const exporting = h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor(() => h.fake.count('poll') >= 1);
    await h.engine.close(); // the process stops mid-poll: the job stays pending
    await exporting;
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(0);
    expect(await h.state.members('jobs:pending')).toHaveLength(1);

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', (address) => (address === chat2.address ? chat2 : undefined));
    await second.resume();
    await second.idle();
    const videos = chat2.log.filter((p) => p.kind === 'video');
    expect(videos).toHaveLength(1);
    expect(videos[0]?.bytes?.equals(h.fake.mp4())).toBe(true);
    expect(chat2.texts()[0]).toBe(en.exportResumed);
    expect(h.fake.count('render')).toBe(1);

    const third = h.restart();
    const chat3 = recordingChat();
    third.registerChats('term', () => chat3);
    await third.resume();
    await third.idle();
    expect(chat3.log).toEqual([]);
  });

  it('an Export tap that arrives with the restart finds the resumed render: one render, one video', async () => {
    h = await harness({ fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const exporting = h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor(() => h.fake.count('poll') >= 1);
    await h.engine.close();
    await exporting;

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', (address) => (address === chat2.address ? chat2 : undefined));
    // The tap is handled before anyone calls resume(): registering the platform already resumed its jobs.
    await second.handle(inbound(chat2, 'export'), chat2);
    await second.idle();
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(h.fake.count('render')).toBe(1);
  });

  it('a job stored before its create call reached the backend is rendered by the next engine', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const record = (await h.store.get('chat:term:test')) as { sessionId: string };
    // What a process that died between writing the job and the create call leaves behind.
    const job = {
      id: 'render_1_lost',
      address: chat.address,
      sessionId: record.sessionId,
      phase: 'creating',
      createdAt: Date.now(),
      lang: 'en',
    };
    await h.state.set(`job:${job.id}`, job);
    await h.state.addMember('jobs:pending', job.id);
    const second = h.restart();
    const chat2 = recordingChat();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(h.fake.count('render')).toBe(1);
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });

  it('a job and a turn an older version left in Keyv lists are adopted once: rendered, told', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const record = (await h.store.get('chat:term:test')) as { sessionId: string; jobs: string[] };
    const job = {
      id: 'render_1_legacy',
      address: chat.address,
      sessionId: record.sessionId,
      phase: 'creating',
      createdAt: Date.now(),
      lang: 'en',
    };
    // The layout before the state port: records and read-modify-write arrays, all in the sessions' Keyv.
    await h.store.set(`job:${job.id}`, job);
    await h.store.set('jobs:pending', [job.id, 'render_0_gone']);
    await h.store.set('chat:term:test', {
      ...record,
      jobs: [job.id],
      inFlight: { text: 'add music', startedAt: 1, lang: 'en' },
    });
    await h.store.set('turns:inflight', [chat.address]);
    const second = h.restart();
    const chat2 = recordingChat();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.texts()[0]).toBe(en.restartedTurn('add music'));
    expect(h.fake.count('render')).toBe(1);
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
    expect(await h.state.members('turns:inflight')).toEqual([]);
    for (const key of ['jobs:pending', 'turns:inflight', `job:${job.id}`, 'job:render_0_gone'])
      expect(await h.store.get(key)).toBeUndefined();
  });

  it('keeps a job whose platform has no adapter yet', async () => {
    h = await harness({ fake: { renderPolls: 100_000 } });
    const chat = recordingChat('dc:7');
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const exporting = h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor(() => h.fake.count('poll') >= 1);
    await h.engine.close();
    await exporting;
    const second = h.restart();
    second.registerChats('tg', () => undefined);
    await second.resume();
    await second.idle();
    expect(await h.state.members('jobs:pending')).toHaveLength(1);
  });

  it('a turn cut by a restart is told, never re-sent', async () => {
    h = await harness({ fake: { generateMs: 5_000 } });
    const chat = recordingChat();
    const turn = h.engine.handle(inbound(chat, PROMPT), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    await h.engine.close();
    await turn;
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.texts()).toEqual([en.restartedTurn(PROMPT)]);
    expect(h.fake.chats).toHaveLength(1);
    const third = h.restart();
    const chat3 = recordingChat();
    third.registerChats('term', () => chat3);
    await third.resume();
    expect(chat3.log).toEqual([]);
  });
});
