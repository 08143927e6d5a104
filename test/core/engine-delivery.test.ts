import { afterEach, describe, expect, it } from 'vitest';
import type { VideoOut } from '../../src/core/ports.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness, inbound, type RecordingChat, recordingChat } from './engine-harness.ts';

// A paid video is delivered at least once (design decision 11): the post is recorded as attempted before it is
// sent and marked posted only once the platform confirmed it, so a process that dies inside the upload leaves a
// job the next process posts again. The progress message a restart left behind is finished, not abandoned.

let h: Harness;
let release: (() => void) | undefined;
afterEach(async () => {
  release?.();
  release = undefined;
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

/** A chat whose uploads never finish (until released): a process that dies inside sendVideo. */
function stuckUploads(chat: RecordingChat): { calls: VideoOut[] } {
  const calls: VideoOut[] = [];
  chat.sendVideo = (video) => {
    calls.push(video);
    return new Promise<void>((_resolve, reject) => {
      release = () => reject(new Error('the process died'));
    });
  };
  return { calls };
}

describe('delivery of a paid video', () => {
  it('a process that dies mid-upload leaves the post to the next one: one render, the video posted', async () => {
    h = await harness();
    const chat = recordingChat();
    const uploads = stuckUploads(chat);
    await h.engine.handle(inbound(chat, PROMPT), chat);
    void h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor(() => uploads.calls.length === 1);
    const [id] = await h.state.members('jobs:pending');
    // Attempted, not confirmed: nothing says "posted" while the upload runs.
    expect(await h.state.get(`job:${id}`)).toMatchObject({ phase: 'posting', postAttempts: 1 });
    expect(await h.state.get(`posted:${id}`)).toBeUndefined();
    expect(uploads.calls[0]?.key).toBe(id);

    // The "dead" process never answers again; the next one starts on the same store.
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    const videos = chat2.log.filter((p) => p.kind === 'video');
    expect(videos).toHaveLength(1);
    expect(videos[0]?.bytes?.equals(h.fake.mp4())).toBe(true);
    expect(videos[0]?.video?.key).toBe(id);
    expect(h.fake.count('render')).toBe(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
    expect(await h.state.get(`posted:${id}`)).toBeDefined();
  });

  it('a post the platform confirmed is never made again', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.log).toEqual([]);
  });

  it('a platform that refuses the file and the link keeps the job; the next start posts it', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const down = async () => {
      throw new Error('platform down');
    };
    chat.sendVideo = down;
    chat.send = down;
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(await h.state.members('jobs:pending')).toHaveLength(1);
    await h.engine.close();
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(h.fake.count('render')).toBe(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });
});

describe('the progress message after a restart', () => {
  it('is finished by the resumed job instead of staying at "Rendering… n%"', async () => {
    h = await harness({ fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const exporting = h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor((log) => log.some((p) => p.kind === 'edit' && p.text.startsWith('🎬 Rendering… ')));
    const progress = chat.log.find((p) => p.kind === 'send' && p.text === en.exportStarting);
    await h.engine.close();
    await exporting;

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    const old = progress?.id ?? '';
    expect(chat2.log.some((p) => p.kind === 'send' && p.id === old)).toBe(false);
    const edits = chat2.log.filter((p) => p.kind === 'edit' && p.id === old).map((p) => p.text);
    expect(edits.at(-1)).toMatch(/^✅ Rendered in \d+s\.$/);
    // The user is still told the process restarted, in a new message.
    expect(chat2.texts()[0]).toBe(en.exportResumed);
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });
});
