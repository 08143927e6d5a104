import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { type Api, anonToken, call, chatRaw, newSession } from './helpers.ts';

let fake: FakeNemo;
afterEach(async () => {
  await fake?.close();
});

async function withDraft(
  opts: Partial<FakeNemoOptions> = {},
): Promise<{ api: Api; sid: string; draft: unknown }> {
  fake = await startFakeNemo(opts);
  const api = await anonToken(fake);
  const sid = await newSession(fake, api);
  await chatRaw(fake, api, sid, 'make a promo');
  return { api, sid, draft: fake.drafts.get(sid) };
}

const create = (api: Api, id: string, sid: string, draft: unknown) =>
  call(fake, api, 'POST', '/api/render/proxy/lambda', {
    id,
    sessionId: sid,
    draft,
    output: { format: 'mp4', quality: 'high' },
  });

describe('fake nemo render proxy', () => {
  it('poll shape A progresses to completed with an MP4 output URL', async () => {
    const { api, sid, draft } = await withDraft();
    const c = await create(api, 'render_1', sid, draft);
    expect(c.json).toEqual({ success: true, data: { id: 'render_1', status: 'pending', progress: 0 } });
    const p1 = await call(fake, api, 'GET', '/api/render/proxy/lambda/render_1');
    expect(p1.json).toMatchObject({ success: true, data: { status: 'processing', progress: 50 } });
    const p2 = await call(fake, api, 'GET', '/api/render/proxy/lambda/render_1');
    expect(p2.json.data).toMatchObject({ id: 'render_1', status: 'completed', progress: 100 });
    expect(p2.json.data.outputUrl).toBe(`${fake.url}/files/render_1.mp4`);
    const mp4 = await fetch(p2.json.data.outputUrl);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await mp4.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(Number(mp4.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.length).toBeLessThan(20_000);
    const dl = await fetch(`${fake.url}/api/render/proxy/render_1/download`, { headers: api.headers });
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('poll shape B, failures, cancel', async () => {
    const { api, sid, draft } = await withDraft({ pollShape: 'B', renderPolls: 1 });
    await create(api, 'r_b', sid, draft);
    const p = await call(fake, api, 'GET', '/api/render/proxy/lambda/r_b');
    expect(p.json).toEqual({
      taskId: 'r_b',
      status: 'completed',
      progress: 100,
      output: { url: `${fake.url}/files/r_b.mp4`, duration: 1, size: fake.mp4().length },
    });
    fake.options.renderFails = true;
    await create(api, 'r_fail', sid, draft);
    const f = await call(fake, api, 'GET', '/api/render/proxy/lambda/r_fail');
    expect(f.json).toMatchObject({ taskId: 'r_fail', status: 'failed', error: expect.any(String) });
    fake.options.renderFails = false;
    fake.options.renderPolls = 5;
    await create(api, 'r_c', sid, draft);
    expect((await call(fake, api, 'POST', '/api/render/proxy/lambda/r_c/cancel')).json.success).toBe(true);
    expect((await call(fake, api, 'GET', '/api/render/proxy/lambda/r_c')).json.status).toBe('failed');
  });

  it('duplicate ids, missing attribution (402)', async () => {
    const { api, sid, draft } = await withDraft({ duplicateRenderIdOnce: true });
    const d1 = await create(api, 'render_x', sid, draft);
    expect([d1.status, d1.json]).toEqual([409, { success: false, error: 'Render id already exists' }]);
    expect((await create(api, 'render_x', sid, draft)).status).toBe(409); // reused id
    expect((await create(api, 'render_y', sid, draft)).json.success).toBe(true);
    const { 'X-Skill-Source': _s, ...noAttribution } = api.headers;
    const blocked = await call(fake, { ...api, headers: noAttribution }, 'POST', '/api/render/proxy/lambda', {
      id: 'render_z',
      sessionId: sid,
      draft,
    });
    expect(blocked.status).toBe(402);
    expect(fake.count('render')).toBe(4);
  });

  it('pads the MP4 with a free box, lazily and fast', async () => {
    fake = await startFakeNemo({ mp4PadTo: 60 * 1024 * 1024 });
    const buf = fake.mp4();
    expect(buf.length).toBe(60 * 1024 * 1024);
    expect(fake.mp4()).toBe(buf); // cached
    expect(buf.subarray(4, 8).toString('latin1')).toBe('ftyp');
    fake.options.mp4PadTo = 0;
    const bare = fake.mp4();
    expect(buf.readUInt32BE(bare.length)).toBe(buf.length - bare.length);
    expect(buf.subarray(bare.length + 4, bare.length + 8).toString('latin1')).toBe('free');
  });
});
