// Every endpoint of docs/nemo-contract.md against the fake, over loopback.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SKILL_SOURCE } from '../../src/nemo/http.ts';
import { isNemoError } from '../../src/nemo/index.ts';
import { caught, collect, type Harness, harness } from './harness.ts';

let h: Harness;
let dir: string;
beforeEach(async () => {
  h = await harness();
  dir = await mkdtemp(path.join(tmpdir(), 'nemo-ep-'));
});
afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const GEN_TEXT = 'generate a 30-second promo for my coffee shop';

describe('endpoints', () => {
  it('anonymousToken returns token, user id and credits; the token is registered as a secret', async () => {
    const t = await h.client.anonymousToken('client-1234567890');
    expect(t.token).toMatch(/^nmv_usr_/);
    expect(t.userId).toMatch(/^anon_/);
    expect(t.credits).toBe(100);
    expect(h.secrets.has(t.token)).toBe(true);
    expect(h.secrets.has('client-1234567890')).toBe(true);
  });

  it('an anonymous account acquires its token on first use and reports it once', async () => {
    const { account, clientId, saved } = h.anon();
    const s = await account.createSession('en');
    expect(s.sessionId).toMatch(/^\d+$/);
    expect(s.taskId).toBeTruthy();
    expect(s.userId).toMatch(/^anon_/);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ kind: 'anonymous', clientId, userId: s.userId });
    expect(account.credentials).toEqual(saved[0]);
    const tokenReq = h.fake.requests.find((r) => r.path === '/api/auth/anonymous-token');
    expect(tokenReq?.headers['x-client-id']).toBe(clientId);
  });

  it('sends attribution and bearer headers on every request', async () => {
    const { account } = h.anon('telegram');
    const s = await account.createSession('zh-CN');
    await account.credits();
    await account.state(s.sessionId);
    await collect(account.chat(s.sessionId, 'hello'));
    expect(h.fake.requests.length).toBeGreaterThanOrEqual(5);
    for (const r of h.fake.requests) {
      expect(r.headers['x-skill-source']).toBe(SKILL_SOURCE);
      expect(r.headers['x-skill-version']).toBe('9.9.9-test');
      expect(r.headers['x-skill-platform']).toBe('telegram');
      if (r.path !== '/api/auth/anonymous-token') expect(r.headers.authorization).toMatch(/^Bearer nmv_usr_/);
    }
  });

  it('chat streams a text reply', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    const events = await collect(account.chat(s.sessionId, 'hello'));
    const texts = events.filter((e) => e.type === 'text');
    expect(texts).toHaveLength(1);
    expect(h.fake.chats).toEqual([{ sessionId: s.sessionId, text: 'hello' }]);
    const body = JSON.parse(h.fake.requests.find((r) => r.path === '/run_sse')?.body.toString() ?? '{}');
    expect(body).toEqual({
      app_name: 'nemo_agent',
      user_id: 'me',
      session_id: s.sessionId,
      new_message: { parts: [{ text: 'hello' }] },
    });
    expect(h.fake.requests.find((r) => r.path === '/run_sse')?.headers.accept).toBe('text/event-stream');
  });

  it('uploads a web ReadableStream and a Node Readable as multipart field "files"', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    const bytes = Buffer.alloc(300_000, 7);
    const web = new Blob([bytes]).stream();
    const a = await account.upload(s.sessionId, {
      name: 'clip.mp4',
      mimeType: 'video/mp4',
      size: bytes.length,
      stream: web,
    });
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ name: 'clip.mp4', fileType: 'video' });
    expect(a[0]?.url).toMatch(/\/files\//);
    const node = Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]);
    const b = await account.upload(s.sessionId, { name: '照片 "x".png', stream: node });
    expect(b[0]?.fileType).toBe('image');
    expect(h.fake.uploads).toHaveLength(2);
    expect(h.fake.uploads[0]?.bytes.equals(bytes)).toBe(true);
    expect(h.fake.uploads[0]?.contentType).toBe('video/mp4');
    expect(h.fake.uploads[1]?.bytes.equals(bytes)).toBe(true);
  });

  it('names a file by its MIME type when its extension is missing', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    await account.upload(s.sessionId, {
      name: 'voice',
      mimeType: 'audio/mpeg',
      stream: Readable.from([Buffer.from('abc')]),
    });
    expect(h.fake.uploads[0]?.filename).toBe('voice.mp3');
  });

  it('uploadUrls sends JSON {urls, source_type}', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    const files = await account.uploadUrls(s.sessionId, [
      'https://example.com/a.mp4',
      'https://example.com/b.jpg',
    ]);
    expect(files.map((f) => f.name)).toEqual(['a.mp4', 'b.jpg']);
    const req = h.fake.requests.find((r) => r.path.startsWith('/api/upload-video'));
    expect(JSON.parse(req?.body.toString() ?? '')).toEqual({
      urls: ['https://example.com/a.mp4', 'https://example.com/b.jpg'],
      source_type: 'url',
    });
  });

  it('credits returns available, frozen and total', async () => {
    h.fake.options.credits = { available: 42, frozen: 8 };
    const { account } = h.anon();
    expect(await account.credits()).toEqual({ available: 42, frozen: 8, total: 50 });
  });

  it('state returns the draft and media after a generation', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    const empty = await account.state(s.sessionId);
    expect(empty.draft?.t).toEqual([]);
    expect(empty.userId).toMatch(/^anon_/);
    await collect(account.chat(s.sessionId, GEN_TEXT));
    const st = await account.state(s.sessionId);
    expect(st.draft?.t?.length).toBeGreaterThan(0);
    expect(Array.isArray(st.generatedMedia)).toBe(true);
    expect(st.canvasConfig).toMatchObject({ width: 1080 });
  });

  it('renders, polls, downloads (url and fallback) and cancels', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN_TEXT));
    const { draft } = await account.state(s.sessionId);
    const id = await account.startRender({ id: 'render_1', sessionId: s.sessionId, draft: draft ?? {} });
    expect(id).toBe('render_1');
    const create = JSON.parse(
      h.fake.requests.find((r) => r.path === '/api/render/proxy/lambda')?.body.toString() ?? '',
    );
    expect(create).toMatchObject({
      id: 'render_1',
      sessionId: s.sessionId,
      output: { format: 'mp4', quality: 'high' },
    });
    const first = await account.renderStatus(id);
    expect(first).toMatchObject({ id, status: 'processing' });
    const seen: string[] = [];
    const done = await account.waitForRender(id, (st) => void seen.push(st.status));
    expect(done.status).toBe('completed');
    expect(done.url).toMatch(/\/files\/render_1\.mp4$/);
    expect(seen.at(-1)).toBe('completed');

    const a = await account.downloadRender({ id, url: done.url as string, dest: path.join(dir, 'a.mp4') });
    expect(await readFile(a.path)).toEqual(h.fake.mp4());
    expect(a.size).toBe(h.fake.mp4().length);
    const b = await account.downloadRender({ id, dest: path.join(dir, 'b.mp4') });
    expect(b.size).toBe(h.fake.mp4().length);
    expect(h.fake.count('download')).toBe(1);
    // A broken URL falls back to the proxy download.
    const c = await account.downloadRender({
      id,
      url: `${h.fake.url}/files/missing.mp4`,
      dest: path.join(dir, 'c.mp4'),
    });
    expect(c.size).toBe(h.fake.mp4().length);
    expect(h.fake.count('download')).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);

    const id2 = await account.startRender({ id: 'render_2', sessionId: s.sessionId, draft: draft ?? {} });
    await account.cancelRender(id2);
    const failed = await caught(account.waitForRender(id2, () => {}));
    expect(isNemoError(failed, 'render_failed')).toBe(true);
  });

  it('claimLink builds the web editor link', async () => {
    const { account } = h.anon();
    const s = await account.createSession('en');
    const link = await account.claimLink({ taskId: s.taskId, sessionId: s.sessionId });
    expect(link).toMatch(/^https:\/\/nemovideo\.com\/workspace\/claim\?ct=ct_[0-9a-f]+$/);
  });

  it('an operator token is used as is, never exchanged', async () => {
    const account = h.operator('nmv_usr_operator_0123456789');
    expect(await account.credits()).toMatchObject({ available: 100 });
    expect(h.fake.count('token')).toBe(0);
    expect(h.fake.requests[0]?.headers.authorization).toBe('Bearer nmv_usr_operator_0123456789');
    expect(h.fake.requests[0]?.headers['x-skill-platform']).toBe('discord');
  });
});
