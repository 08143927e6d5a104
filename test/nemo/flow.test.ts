// The whole export flow (token → session → chat → state → render → poll → download) once per fake variant,
// plus duplicate render ids and download limits.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NemoAccount, NemoError } from '../../src/nemo/index.ts';
import type { FakeNemoOptions } from '../fakes/nemo/types.ts';
import { caught, collect, type Harness, harness } from './harness.ts';

let h: Harness | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nemo-flow-'));
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await rm(dir, { recursive: true, force: true });
});

const GEN = 'generate a 30-second promo for my coffee shop';

async function exportFlow(account: NemoAccount, dest: string) {
  const s = await account.createSession('en');
  const events = await collect(account.chat(s.sessionId, GEN));
  const state = await account.state(s.sessionId);
  const id = await account.startRender({
    id: `render_${Date.now()}`,
    sessionId: s.sessionId,
    draft: state.draft ?? {},
  });
  const progress: number[] = [];
  const done = await account.waitForRender(id, (st) => void progress.push(st.progress ?? -1));
  const file = await account.downloadRender({ id, ...(done.url ? { url: done.url } : {}), dest });
  return { events, state, id, done, progress, file };
}

const VARIANTS: Array<[string, Partial<FakeNemoOptions>]> = [
  ['pollShape A', { pollShape: 'A' }],
  ['pollShape B', { pollShape: 'B' }],
  ['heartbeat empty', { heartbeat: 'empty' }],
  ['heartbeat json', { heartbeat: 'json' }],
  ['heartbeat comment', { heartbeat: 'comment' }],
  ['errorsAs body', { errorsAs: 'body' }],
  ['errorsAs status', { errorsAs: 'status' }],
  ['simplifiedEvents', { simplifiedEvents: true }],
  ['lineEnding CRLF', { lineEnding: '\r\n' }],
  ['chunkBytes 1', { chunkBytes: 1, generateMs: 20 }],
];

describe('export flow per fake variant', () => {
  for (const [name, opts] of VARIANTS) {
    it(name, async () => {
      h = await harness({ heartbeatMs: 5, generateMs: 40, renderPolls: 3, ...opts });
      const { account } = h.anon();
      const r = await exportFlow(account, path.join(dir, 'out.mp4'));
      expect(r.events.some((e) => e.type === 'text')).toBe(true);
      expect(r.state.draft?.t?.some((t) => (t.sg?.length ?? 0) > 0)).toBe(true);
      expect(r.done.status).toBe('completed');
      expect(r.done.url).toMatch(/\/files\/.+\.mp4$/);
      expect(r.progress.at(-1)).toBe(100);
      expect(r.progress.length).toBe(3);
      expect(await readFile(r.file.path)).toEqual(h.fake.mp4());
      if (opts.pollShape === 'B') expect(r.done.size).toBe(h.fake.mp4().length);
      expect(h.fake.duplicateChats).toEqual([]);
      expect(await readdir(dir)).toEqual(['out.mp4']);
    });
  }
});

describe('render details', () => {
  it('a duplicate render id: a new render_<ts>_<rand> id, retried once', async () => {
    h = await harness({ duplicateRenderIdOnce: true });
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN));
    const { draft } = await account.state(s.sessionId);
    const id = await account.startRender({ id: 'render_dup', sessionId: s.sessionId, draft: draft ?? {} });
    expect(id).not.toBe('render_dup');
    expect(id).toMatch(/^render_\d+_[0-9a-f]+$/);
    expect(h.fake.count('render')).toBe(2);
    expect((await account.waitForRender(id, () => {})).status).toBe('completed');
  });

  it('a failed render: render_failed; too few polls: render_timeout', async () => {
    h = await harness({ renderFails: true, renderPolls: 2 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN));
    const { draft } = await account.state(s.sessionId);
    const id = await account.startRender({ id: 'render_f', sessionId: s.sessionId, draft: draft ?? {} });
    const e = (await caught(account.waitForRender(id, () => {}))) as NemoError;
    expect(e.code).toBe('render_failed');
    expect(e.message).toContain('encoder error');
    h.fake.options.renderFails = false;
    h.fake.options.renderPolls = 50;
    const id2 = await account.startRender({ id: 'render_t', sessionId: s.sessionId, draft: draft ?? {} });
    expect(((await caught(account.waitForRender(id2, () => {}))) as NemoError).code).toBe('render_timeout');
    expect(h.fake.count('poll')).toBe(2 + 10);
  });

  it('download past maxBytes: file_too_large, no file left (Content-Length and streamed)', async () => {
    h = await harness({ mp4PadTo: 300_000, renderPolls: 1 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN));
    const { draft } = await account.state(s.sessionId);
    const id = await account.startRender({ id: 'render_big', sessionId: s.sessionId, draft: draft ?? {} });
    const done = await account.waitForRender(id, () => {});
    const dest = path.join(dir, 'big.mp4');
    const e = (await caught(
      account.downloadRender({ id, url: done.url as string, dest, maxBytes: 100_000 }),
    )) as NemoError;
    expect(e.code).toBe('file_too_large');
    expect(h.fake.count('download')).toBe(0); // no fallback after a size refusal
    expect(await readdir(dir)).toEqual([]);
    const ok = await account.downloadRender({ id, dest, maxBytes: 300_000 });
    expect(ok.size).toBe(300_000);
  });

  it('a chunked download (no Content-Length) is cut at maxBytes while streaming', async () => {
    const { createServer } = await import('node:http');
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000));
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    h = await harness();
    const { account } = h.anon();
    const url = `http://127.0.0.1:${port}/x.mp4`;
    const e = (await caught(
      account.downloadRender({ id: 'r', url, dest: path.join(dir, 'x.mp4'), maxBytes: 100_000 }),
    )) as NemoError;
    expect(e.code).toBe('file_too_large');
    expect(await readdir(dir)).toEqual([]);
    const ok = await account.downloadRender({
      id: 'r',
      url,
      dest: path.join(dir, 'x.mp4'),
      maxBytes: 200_000,
    });
    expect(ok.size).toBe(200_000);
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  });

  it('a download that breaks mid-body leaves no partial file', async () => {
    const { createServer } = await import('node:http');
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100000', 'content-type': 'video/mp4' });
      res.write(Buffer.alloc(50_000));
      setTimeout(() => res.destroy(), 10);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    h = await harness();
    const { account } = h.anon();
    const dest = path.join(dir, 'broken.mp4');
    // The URL fails and the fallback 404s (unknown render): an error, and the directory stays empty.
    const e = await caught(
      account.downloadRender({ id: 'render_nope', url: `http://127.0.0.1:${port}/x.mp4`, dest }),
    );
    expect(e).toBeInstanceOf(Error);
    expect(await readdir(dir)).toEqual([]);
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  });
});
