import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';
import { type LossyProxy, startLossyProxy } from './lossy-proxy.ts';

// Backend outages during an export (design decision 12): the job is dropped only when NemoVideo says the
// render failed. A render still running when the poll budget is spent is kept, the user told it will be
// posted, and it is looked at again later; an export of the same unchanged draft attaches to it. A create
// whose answer was lost is found again by its id. Never a second render for one draft (one charge).

let h: Harness;
let proxy: LossyProxy | undefined;
afterEach(async () => {
  await h?.close();
  await proxy?.close();
  proxy = undefined;
});

const PROMPT = 'make a 30-second promo for my candle shop';
/** A poll budget of 50 ms: an outage of a few hundred ms outlasts it. */
const SHORT_BUDGET = { RENDER_POLL_INTERVAL_MS: '5', RENDER_POLL_MAX: '10' };
const videos = (log: { kind: string }[]) => log.filter((p) => p.kind === 'video');

describe('an outage longer than the poll budget', () => {
  it('keeps the job, tells the user it still renders, and posts it once NemoVideo answers again', async () => {
    h = await harness({ env: SHORT_BUDGET });
    const chat = recordingChat();
    h.engine.registerChats('term', () => chat); // how a later look reaches the chat
    await h.engine.handle(inbound(chat, PROMPT), chat);
    h.fake.options.faults = [{ route: 'poll', status: 503, windowMs: 400 }];
    await h.engine.handle(inbound(chat, 'export'), chat);
    // Before: the export ended with an error and the job was removed; the render finished unseen.
    expect(chat.texts()).toContain(en.exportStillRendering);
    expect(await h.state.members('jobs:pending')).toHaveLength(1);
    // Looked at again with backoff in this process: posted when the backend is back.
    await chat.waitFor((log) => videos(log).length === 1, 10_000);
    expect(h.fake.count('render')).toBe(1);
    await chat.waitFor(() => chat.texts().some((t) => t.startsWith('✅ Rendered in')));
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });

  it('a later export of the unchanged draft attaches to the running render instead of a second one', async () => {
    h = await harness({ env: SHORT_BUDGET, fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.texts()).toContain(en.exportStillRendering);
    await h.engine.close(); // the kept job outlives the process that started it

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    await second.handle(inbound(chat2, 'export'), chat2);
    await second.idle();
    expect(chat2.texts()[0]).toBe(en.exportReattached);
    expect(videos(chat2.log)).toHaveLength(1);
    expect(h.fake.count('render')).toBe(1);
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });

  it('an export of a changed draft is a new render; the kept one is still posted later', async () => {
    h = await harness({ env: SHORT_BUDGET, fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    await h.engine.close();

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    await second.handle(inbound(chat2, 'add a title "Grand Opening"'), chat2);
    await second.handle(inbound(chat2, 'export'), chat2);
    await second.idle();
    expect(chat2.texts()).not.toContain(en.exportReattached);
    expect(h.fake.count('render')).toBe(2);
    expect(videos(chat2.log)).toHaveLength(1);
    // The first render (paid for) is still pending: the next start posts it.
    expect(await h.state.members('jobs:pending')).toHaveLength(1);
    const chat3 = recordingChat();
    const third = h.restart();
    third.registerChats('term', () => chat3);
    await third.resume();
    await third.idle();
    expect(videos(chat3.log)).toHaveLength(1);
    expect(h.fake.count('render')).toBe(2);
  });
});

describe('a kept render that never finishes', () => {
  it('is given up after RENDER_KEEP_MS: the user told to export again, the job dropped', async () => {
    h = await harness({ env: { ...SHORT_BUDGET, RENDER_KEEP_MS: '300' }, fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.texts()).toContain(en.exportStillRendering);
    await h.engine.close();
    await new Promise((r) => setTimeout(r, 350)); // older than RENDER_KEEP_MS now
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.texts()).toContain(en.exportExpired);
    expect(videos(chat2.log)).toHaveLength(0);
    expect(await h.state.members('jobs:pending')).toEqual([]);
  });
});

describe('a render create whose answer was lost', () => {
  it('is found again by its id: polled and posted, never created twice', async () => {
    h = await harness();
    proxy = await startLossyProxy(h.fake.url);
    const engine = h.restart({ NEMO_API_URL: proxy.url });
    const chat = recordingChat();
    await engine.handle(inbound(chat, PROMPT), chat);
    proxy.lose(/^POST \/api\/render\/proxy\/lambda$/);
    await engine.handle(inbound(chat, 'export'), chat);
    expect(proxy.lost).toHaveLength(1);
    // Before: "can't reach NemoVideo", the job dropped while the render ran (and a retry paid a second one).
    expect(videos(chat.log)).toHaveLength(1);
    expect(h.fake.count('render')).toBe(1);
    expect(chat.texts().join('\n')).not.toContain(
      en.errors.unreachable({ operator: false, platform: 'terminal', formats: '', maxMb: 0 }),
    );
  });
});
