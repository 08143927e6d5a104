import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { anonToken, blocks, call, chatBody, chatRaw, events, newSession } from './helpers.ts';

let fake: FakeNemo;
afterEach(async () => {
  await fake?.close();
});

async function setup(opts: Partial<FakeNemoOptions> = {}, language = 'en') {
  fake = await startFakeNemo(opts);
  const api = await anonToken(fake);
  const sid = await newSession(fake, api, language);
  return { api, sid };
}

describe('fake nemo /run_sse', () => {
  it('streams a generation turn in ADK format and fills a 3-track draft', async () => {
    const { api, sid } = await setup();
    expect(sid).toMatch(/^\d+$/);
    const r = await chatRaw(fake, api, sid, 'make a 30-second promo for my candle shop');
    expect(r.status).toBe(200);
    expect(r.contentType).toContain('text/event-stream');
    expect(r.raw).not.toContain('[DONE]');
    expect(r.raw).not.toMatch(/^event:/m);
    const evs = events(r.raw);
    const call0 = evs[0].content.parts[0].functionCall;
    expect(call0.name).toBe('generate_video_with_seedance');
    expect(evs[0]).toMatchObject({ author: 'nemo_agent', content: { role: 'model' } });
    expect(evs[0].invocationId).toMatch(/^e-/);
    expect(typeof evs[0].id).toBe('string');
    expect(typeof evs[0].timestamp).toBe('number');
    expect(evs[1].content.role).toBe('user');
    expect(evs[1].content.parts[0].functionResponse).toMatchObject({ id: call0.id, name: call0.name });
    expect(evs[2].content.parts[0].text).toMatch(/^Your 30-second promo is ready/);
    expect(blocks(r.raw).filter((b) => b[0] === 'data:').length).toBeGreaterThanOrEqual(2); // empty heartbeats
    const draft = fake.drafts.get(sid) as { t: Array<{ tt: number; sg: unknown[] }>; d: number; m: object };
    expect(draft.t.map((t) => t.tt)).toEqual([0, 1, 7]);
    expect(draft.m).toMatchObject({ width: 1080, height: 1920 });
    const credits = await call(fake, api, 'GET', '/api/credits/balance/simple');
    expect(credits.json.data).toEqual({ available: 90, frozen: 0, total: 90 });
    expect(fake.chats).toEqual([{ sessionId: sid, text: 'make a 30-second promo for my candle shop' }]);
  });

  it('edits in Chinese; silent edits end without text; text turns answer', async () => {
    const { api, sid } = await setup({}, 'zh-CN');
    await chatRaw(fake, api, sid, '给我的蜡烛店做一个30秒的宣传视频');
    let evs = events((await chatRaw(fake, api, sid, '加点背景音乐')).raw);
    expect(evs[0].content.parts[0].functionCall.name).toBe('edit_multitrack');
    expect(evs.at(-1).content.parts[0].text).toContain('背景音乐');
    fake.options.silentEdits = true;
    evs = events((await chatRaw(fake, api, sid, '加上标题「蜡烛」')).raw);
    expect(evs.map((e) => Object.keys(e.content.parts[0])[0])).toEqual(['functionCall', 'functionResponse']);
    const draft = fake.drafts.get(sid) as { t: Array<{ tt: number; sg: Array<{ tx?: string }> }> };
    expect(draft.t.filter((t) => t.tt === 7).at(-1)?.sg[0]?.tx).toBe('蜡烛');
    evs = events((await chatRaw(fake, api, sid, '你好')).raw);
    expect(evs).toHaveLength(1);
    expect(evs[0].content.parts[0].text).toMatch(/NemoVideo/);
  });

  it.each([
    ['empty', /^data:$/m],
    ['json', /^data: \{"type":"heartbeat"\}$/m],
    ['comment', /^: ping$/m],
  ] as const)('heartbeat style %s', async (heartbeat, re) => {
    const { api, sid } = await setup({ heartbeat });
    const r = await chatRaw(fake, api, sid, 'generate a cat video');
    expect(r.raw).toMatch(re);
  });

  it('honours partialText, thoughts, replyText, trailingIssue, CRLF and tiny chunks', async () => {
    const { api, sid } = await setup({
      partialText: true,
      thoughts: true,
      replyText: 'Click the Export button to download your video.',
      trailingIssue: true,
      lineEnding: '\r\n',
      chunkBytes: 7,
    });
    const r = await chatRaw(fake, api, sid, 'create a promo');
    expect(r.raw).toContain('\r\n\r\n');
    const evs = events(r.raw);
    expect(evs[0].content.parts[0]).toMatchObject({ thought: true });
    const texts = evs.filter((e) => e.content.parts[0].text !== undefined && !e.content.parts[0].thought);
    const partials = texts.filter((e) => e.partial);
    expect(partials.map((e) => e.content.parts[0].text).join('')).toBe(
      'Click the Export button to download your video.',
    );
    const full = texts.filter((e) => !e.partial).map((e) => e.content.parts[0].text);
    expect(full).toEqual([
      'Click the Export button to download your video.',
      expect.stringMatching(/temporary issue/),
    ]);
  });

  it('emits the older simplified events', async () => {
    const { api, sid } = await setup({ simplifiedEvents: true });
    const evs = events((await chatRaw(fake, api, sid, 'make a video')).raw);
    expect(evs.map((e) => e.type)).toEqual(
      expect.arrayContaining(['tool_call', 'heartbeat', 'tool_result', 'text']),
    );
    expect(evs.find((e) => e.type === 'text').content).toMatch(/ready/);
  });

  it('faults: stream error, mid-stream disconnect (draft still changes), 2001, unknown session, bad body', async () => {
    const { api, sid } = await setup();
    fake.options.faults.push({ route: 'chat', streamError: 'agent crashed' });
    let r = await chatRaw(fake, api, sid, 'hello');
    expect(events(r.raw).at(-1)).toEqual({ error: 'agent crashed' });

    fake.options.faults.push({ route: 'chat', disconnectAfterEvents: 1 });
    await expect(chatRaw(fake, api, sid, 'make a dog video')).rejects.toThrow();
    expect(fake.chats.at(-1)?.text).toBe('make a dog video');
    expect((fake.drafts.get(sid) as { t: unknown[] }).t).toHaveLength(3);

    r = await chatRaw(fake, api, 'nope', 'hi');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.raw)).toEqual({ detail: 'Session not found: nope' });
    const bad = await call(fake, api, 'POST', '/run_sse', { session_id: sid });
    expect(bad.status).toBe(422);
    expect(Array.isArray(bad.json.detail)).toBe(true);

    fake.options.credits.available = 0;
    r = await chatRaw(fake, api, sid, 'hello again');
    expect(JSON.parse(r.raw).code).toBe(2001);
    expect(fake.duplicateChats).toEqual([]);
    await chatRaw(fake, api, sid, 'hello').catch(() => {});
  });

  it('records duplicates and stops working when the client leaves', async () => {
    const { api, sid } = await setup({ generateMs: 5_000 });
    const ac = new AbortController();
    const res = await fetch(`${fake.url}/run_sse`, {
      method: 'POST',
      headers: api.headers,
      body: JSON.stringify(chatBody(sid, 'make a long video')),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const credits = await call(fake, api, 'GET', '/api/credits/balance/simple');
    expect(credits.json.data).toEqual({ available: 90, frozen: 10, total: 100 });
    ac.abort();
    for (let i = 0; i < 200 && fake.options.credits.frozen > 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    const after = await call(fake, api, 'GET', '/api/credits/balance/simple');
    expect(after.json.data).toEqual({ available: 100, frozen: 0, total: 100 });
    expect((fake.drafts.get(sid) as { t: unknown[] }).t).toHaveLength(0);
    fake.options.generateMs = 10;
    await chatRaw(fake, api, sid, 'make a long video');
    expect(fake.duplicateChats).toEqual([{ sessionId: sid, text: 'make a long video' }]);
  });

  it('a bare description on an empty draft generates; questions and chatter do not', async () => {
    const { api, sid } = await setup();
    const kind = async (text: string) => {
      const evs = events((await chatRaw(fake, api, sid, text)).raw);
      return evs[0].content.parts[0].functionCall?.name ?? 'text';
    };
    expect(await kind('what video formats do you support?')).toBe('text');
    expect(await kind('hello')).toBe('text');
    expect(await kind('a sunrise over the sea')).toBe('generate_video_with_seedance');
    expect(await kind('a sunset over the hills')).toBe('text'); // a draft exists now
    expect(await kind('make it shorter, 10 seconds')).toBe('edit_multitrack');
    expect((fake.drafts.get(sid) as { d: number }).d).toBe(10_000);
  });
});
