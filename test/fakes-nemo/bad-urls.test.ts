import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { anonToken, call, newSession } from './helpers.ts';

// URL uploads the fake cannot take answer 400 instead of throwing: a malformed `%zz` escape used to be an
// unhandled rejection that killed `npm run dev` (the fake runs in its process). A host under `.invalid`
// stands for a link NemoVideo could not download.

let fake: FakeNemo;
afterEach(async () => {
  await fake?.close();
});

describe('fake nemo: bad upload URLs', () => {
  it.each([
    'https://files.example.com/a%zz.mp4',
    'https://files.example.com/%E0%A4%A.mp4',
    'not a url at all',
  ])('%s answers 400 and the server keeps serving', async (url) => {
    fake = await startFakeNemo();
    const api = await anonToken(fake);
    const sid = await newSession(fake, api);
    const path = `/api/upload-video/nemo_agent/me/${sid}`;
    const bad = await call(fake, api, 'POST', path, { urls: [url], source_type: 'url' });
    expect(bad.status).toBe(400);
    const good = await call(fake, api, 'POST', path, {
      urls: ['https://files.example.com/ok.mp4'],
      source_type: 'url',
    });
    expect(good.status).toBe(200);
    expect(good.json.data.files[0].filename).toBe('ok.mp4');
  });

  it('a host that never resolves (.invalid) is a 400 "failed to download" in the business envelope', async () => {
    fake = await startFakeNemo();
    const api = await anonToken(fake);
    const sid = await newSession(fake, api);
    const res = await call(fake, api, 'POST', `/api/upload-video/nemo_agent/me/${sid}`, {
      urls: ['https://cdn.nowhere.invalid/clip.mp4'],
      source_type: 'url',
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 400, message: 'failed to download cdn.nowhere.invalid' });
  });
});
