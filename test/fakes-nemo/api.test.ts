import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { anonToken, call, type Json, newSession } from './helpers.ts';

let fake: FakeNemo;
afterEach(async () => {
  await fake?.close();
});

const tokenReq = (clientId?: string) =>
  fetch(`${fake.url}/api/auth/anonymous-token`, {
    method: 'POST',
    headers: clientId ? { 'X-Client-Id': clientId } : {},
  });

describe('fake nemo business API', () => {
  it('issues anonymous tokens with the documented limits', async () => {
    fake = await startFakeNemo({ tokensPerIp: 2 });
    expect((await tokenReq()).status).toBe(400);
    const first = (await (await tokenReq('client-a')).json()) as Json;
    expect(first.code).toBe(0);
    expect(first.data.token).toMatch(/^nmv_usr_/);
    expect(first.data.user_id).toMatch(/^anon_/);
    expect(first.data).toMatchObject({ credits: 100, expires_at: expect.any(String) });
    expect((await tokenReq('client-a')).status).toBe(429); // one per client id per week
    // An injected 1001 invalidates the token: asking again with the same client id is then allowed.
    fake.options.faults.push({ route: 'credits', code: 1001 });
    const api = { headers: { Authorization: `Bearer ${first.data.token}` }, token: '', userId: '' };
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).json.code).toBe(1001);
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).json.code).toBe(1001);
    const again = (await (await tokenReq('client-a')).json()) as Json;
    expect(again.data.user_id).toBe(first.data.user_id);
    expect(again.data.token).not.toBe(first.data.token);
    expect((await tokenReq('client-b')).status).toBe(429); // per-IP cap
    expect(fake.issuedTokens).toEqual([first.data.token, again.data.token]);
    expect(fake.count('token')).toBe(5);
  });

  it('expires tokens after tokenTtlMs and accepts operator tokens', async () => {
    fake = await startFakeNemo({ operatorTokens: ['nmv_usr_operator'] });
    const api = await anonToken(fake, 'c1');
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).json.code).toBe(0);
    fake.options.tokenTtlMs = 1; // applies to tokens already issued
    await new Promise((r) => setTimeout(r, 5));
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).json.code).toBe(1001);
    expect((await tokenReq('c1')).status).toBe(200);
    fake.options.tokenTtlMs = 0; // never expires
    const op = { ...api, headers: { ...api.headers, Authorization: 'Bearer nmv_usr_operator' } };
    expect((await call(fake, op, 'GET', '/api/credits/balance/simple')).json.data.total).toBe(100);
    expect((await call(fake, { ...api, headers: {} }, 'GET', '/api/credits/balance/simple')).json.code).toBe(
      1001,
    );
  });

  it('maps body codes to statuses with errorsAs status, and answers plain-status faults', async () => {
    fake = await startFakeNemo({ errorsAs: 'status' });
    const api = await anonToken(fake);
    const missing = await call(fake, api, 'GET', '/api/state/nemo_agent/me/123/latest');
    expect([missing.status, missing.json.code]).toEqual([404, 1002]);
    fake.options.faults.push({ route: 'credits', status: 429 }, { route: 'credits', status: 503, times: 2 });
    const limited = await call(fake, api, 'GET', '/api/credits/balance/simple');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).status).toBe(503);
    const down = await call(fake, api, 'GET', '/api/credits/balance/simple');
    expect([down.status, down.text]).toEqual([503, 'Service Unavailable']);
    expect((await call(fake, api, 'GET', '/api/credits/balance/simple')).status).toBe(200);
    expect(fake.options.faults).toEqual([]);
    fake.options.faults.push({ route: 'state', code: 2001 });
    expect((await call(fake, api, 'GET', '/api/state/nemo_agent/me/1/latest')).status).toBe(403);
  });

  it('serves session state and claim tokens; unknown routes are a loud 404', async () => {
    fake = await startFakeNemo();
    const api = await anonToken(fake);
    const sid = await newSession(fake, api, 'en');
    const state = await call(fake, api, 'GET', `/api/state/nemo_agent/me/${sid}/latest`);
    expect(state.json.data.user_id).toBe(api.userId);
    expect(Object.keys(state.json.data.state).sort()).toEqual([
      'canvas_config',
      'draft',
      'generated_media',
      'video_infos',
    ]);
    const claim = await call(fake, api, 'POST', '/api/auth/claim-token', { task_id: 't', session_id: sid });
    expect(claim.json.data.claim_token).toMatch(/^ct_/);
    const unknown = await call(fake, api, 'GET', '/api/v2/whatever');
    expect(unknown.status).toBe(404);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v2/whatever' });
    expect(fake.requests.find((r) => r.path === '/api/auth/claim-token')?.body.toString()).toContain(sid);
  });

  it('uploads multipart files (streamed), URLs, and refuses bad types and sizes', async () => {
    fake = await startFakeNemo({ maxUploadBytes: 10_000 });
    const api = await anonToken(fake);
    const sid = await newSession(fake, api);
    const { 'Content-Type': _json, ...auth } = api.headers;
    const form = new FormData();
    form.append('files', new Blob([fake.mp4()], { type: 'video/mp4' }), 'clip.mp4');
    form.append('files', new Blob([Buffer.from('png!')], { type: 'image/png' }), 'logo.png');
    const up = await fetch(`${fake.url}/api/upload-video/nemo_agent/me/${sid}`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    const body = (await up.json()) as Json;
    expect(body.code).toBe(0);
    expect(body.data.files[0]).toMatchObject({
      filename: 'clip.mp4',
      file_type: 'video',
      width: 320,
      height: 568,
    });
    expect(Object.keys(body.data.files[0]).sort()).toEqual(
      ['cdn_url', 'duration', 'file_type', 'filename', 'fps', 'hash', 'height', 'width'].sort(),
    );
    expect(fake.uploads.map((u) => [u.filename, u.bytes.length])).toEqual([
      ['clip.mp4', fake.mp4().length],
      ['logo.png', 4],
    ]);
    const served = await fetch(body.data.files[1].cdn_url);
    expect(await served.text()).toBe('png!');

    const bad = new FormData();
    bad.append('files', new Blob(['x']), 'notes.txt');
    const r1 = await fetch(`${fake.url}/api/upload-video/nemo_agent/me/${sid}`, {
      method: 'POST',
      headers: auth,
      body: bad,
    });
    expect(((await r1.json()) as Json).code).toBe(4001);
    const big = new FormData();
    big.append('files', new Blob([Buffer.alloc(20_000)]), 'big.mov');
    const r2 = await fetch(`${fake.url}/api/upload-video/nemo_agent/me/${sid}`, {
      method: 'POST',
      headers: auth,
      body: big,
    });
    expect(((await r2.json()) as Json).code).toBe(4002);

    const byUrl = await call(fake, api, 'POST', `/api/upload-video/nemo_agent/me/${sid}`, {
      urls: ['https://example.com/a/cat.jpg'],
      source_type: 'url',
    });
    expect(byUrl.json.data.files[0]).toMatchObject({ filename: 'cat.jpg', file_type: 'image' });
    const state = await call(fake, api, 'GET', `/api/state/nemo_agent/me/${sid}/latest`);
    expect(state.json.data.state.video_infos).toHaveLength(3);
  });
});
