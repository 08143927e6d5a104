import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_MAX, type HistoryEntry, historyKey, readHistory } from '../../src/core/history.ts';
import { projectTag } from '../../src/core/loop.ts';
import { VIDEO_ACTIONS } from '../../src/i18n/actions.ts';
import { loopEn } from '../../src/i18n/loop.en.ts';
import { type Harness, harness } from './engine-harness.ts';
import { buttonOn, type LoopChat, loopChat, press, typed } from './loop-helpers.ts';

// /history and /show: what was posted is kept per chat in the state port, bounded, across restarts; a video is
// posted again from the backend's URL; an expired one is rendered again only for the same project, on request.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const BRIEF = 'make a 30-second promo for my candle shop';
const command = (chat: LoopChat, name: 'history' | 'show' | 'export' | 'reset', arg?: string) =>
  typed(chat, `/${name}${arg ? ` ${arg}` : ''}`, {}, { command: arg ? { name, arg } : { name } });

async function exported(chat: LoopChat, brief = BRIEF): Promise<void> {
  await h.engine.handle(typed(chat, brief, { name: 'Alice' }), chat);
  await h.engine.handle(command(chat, 'export'), chat);
}

describe('/history', () => {
  it('lists the chat’s exports, newest first, with brief, length, who asked and the link', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(command(chat, 'history'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.historyEmpty);
    await exported(chat);
    const [entry] = await readHistory({ core: { state: h.state } as never, address: chat.address });
    expect(entry).toMatchObject({ brief: BRIEF, by: 'Alice', byId: 'u1', durationSec: 1 });
    expect(entry?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4$/);
    await h.engine.handle(command(chat, 'history'), chat);
    const text = chat.log.at(-1)?.text ?? '';
    expect(text.split('\n')[0]).toBe(loopEn.historyHeading(1, 1));
    expect(text).toContain(`1. ${new Date(entry!.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    expect(text).toContain(`"${BRIEF}" · 1 s · by Alice`);
    expect(text).toContain(entry!.url);
  });

  it('survives a restart and keeps the newest fifty', async () => {
    h = await harness();
    const chat = loopChat();
    await exported(chat);
    const old: HistoryEntry[] = Array.from({ length: 60 }, (_, i) => ({
      id: `render_old_${i}`,
      at: 1_700_000_000_000 + i,
      url: `https://cdn.example/${i}.mp4`,
    }));
    const current = await readHistory({ core: { state: h.state } as never, address: chat.address });
    await h.state.set(historyKey(chat.address), [...current, ...old]);
    // Another process on the same store: the history is there, and the next export goes on top of it.
    const second = h.restart();
    const chat2 = loopChat();
    await second.handle(command(chat2, 'reset'), chat2);
    await second.handle(typed(chat2, 'a teaser for the spring sale'), chat2);
    await second.handle(command(chat2, 'export'), chat2);
    await second.handle(command(chat2, 'history'), chat2);
    const list = await readHistory({ core: { state: h.state } as never, address: chat2.address });
    expect(list).toHaveLength(HISTORY_MAX);
    expect(list[0]?.brief).toBe('a teaser for the spring sale');
    expect(list[1]?.brief).toBe(BRIEF);
    expect(list.at(-1)?.id).toBe('render_old_47');
    expect(chat2.log.at(-1)?.text.split('\n')[0]).toBe(loopEn.historyHeading(10, 50));
  });
});

describe('/show', () => {
  it('posts an export again from the backend’s URL, with its actions while it is the current project', async () => {
    h = await harness();
    const chat = loopChat();
    await exported(chat);
    const renders = h.fake.count('render');
    await h.engine.handle(command(chat, 'show', '1'), chat);
    const videos = chat.log.filter((p) => p.kind === 'video');
    expect(videos).toHaveLength(2);
    expect(videos[1]?.bytes?.equals(h.fake.mp4())).toBe(true);
    expect(videos[1]?.video?.caption).toMatch(/^🎞 Export #1 from /);
    expect(videos[1]?.video?.buttons?.map((b) => (typeof b === 'string' ? b : b.action))).toEqual([
      ...VIDEO_ACTIONS,
    ]);
    expect(h.fake.count('render')).toBe(renders);
    // Not a new export: the history is unchanged.
    expect(await readHistory({ core: { state: h.state } as never, address: chat.address })).toHaveLength(1);
  });

  it('/show 999, /show abc, /show alone and /show in an empty chat each get a clear answer', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(command(chat, 'show', '1'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.historyEmpty);
    await exported(chat);
    await h.engine.handle(command(chat, 'show', '999'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.showOutOfRange('999', 1));
    await h.engine.handle(command(chat, 'show', 'abc'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.showOutOfRange('abc', 1));
    await h.engine.handle(command(chat, 'show', '0'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.showOutOfRange('0', 1));
    await h.engine.handle(command(chat, 'show'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.showUsage(1));
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });

  it('an expired video: asks before rendering the same project again; after a reset it cannot', async () => {
    h = await harness();
    const chat = loopChat();
    await exported(chat);
    const key = historyKey(chat.address);
    const [entry] = (await h.state.get(key)) as HistoryEntry[];
    // The backend no longer has it: neither the URL nor the render id.
    await h.state.set(key, [{ ...entry, id: 'render_gone', url: `${h.fake.url}/files/render_gone.mp4` }]);
    const renders = h.fake.count('render');
    await h.engine.handle(command(chat, 'show', '1'), chat);
    const offer = chat.log.at(-1)!;
    expect(offer.text).toBe(loopEn.showExpired(1));
    expect(offer.buttons).toEqual(['rerender', 'dismiss']);
    expect(h.fake.count('render')).toBe(renders);
    await h.engine.handle(press(chat, buttonOn(chat.log, 'rerender')), chat);
    expect(h.fake.count('render')).toBe(renders + 1);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(2);

    await h.engine.handle(command(chat, 'reset'), chat);
    const list = (await h.state.get(key)) as HistoryEntry[];
    await h.state.set(
      key,
      list.map((e) => ({ ...e, id: 'render_gone', url: `${h.fake.url}/files/render_gone.mp4` })),
    );
    await h.engine.handle(command(chat, 'show', '2'), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.showExpiredReset(2));
    // The offer of before the reset no longer renders anything.
    await h.engine.handle(press(chat, offer.raw![0]!), chat);
    expect(chat.log.at(-1)?.text).toBe(loopEn.staleButton);
    expect(h.fake.count('render')).toBe(renders + 1);
  });

  it('records who asked and the project tag of each export', async () => {
    h = await harness();
    const chat = loopChat();
    await h.engine.handle(typed(chat, BRIEF), chat);
    await h.engine.handle(press(chat, buttonOn(chat.log, 'export'), { id: 'u7', name: 'Dana' }), chat);
    const record = (await h.store.get(`chat:${chat.address}`)) as { sessionId: string };
    const [entry] = await readHistory({ core: { state: h.state } as never, address: chat.address });
    expect(entry).toMatchObject({ by: 'Dana', byId: 'u7', tag: projectTag(record.sessionId) });
  });
});
