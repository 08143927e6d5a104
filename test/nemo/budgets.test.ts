// One budget for a whole render download (the URL and every fallback attempt), and an oversized SSE event
// reported as its own agent error instead of a broken connection.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TOO_LARGE, type NemoAccount, type NemoError } from '../../src/nemo/index.ts';
import { caught, collect, type Harness, harness } from './harness.ts';

let h: Harness | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nemo-budget-'));
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await rm(dir, { recursive: true, force: true });
});

const GEN = 'generate a 30-second promo for my coffee shop';

async function rendered(account: NemoAccount): Promise<{ id: string; url: string }> {
  const s = await account.createSession('en');
  await collect(account.chat(s.sessionId, GEN));
  const { draft } = await account.state(s.sessionId);
  const id = await account.startRender({ id: 'render_d', sessionId: s.sessionId, draft: draft ?? {} });
  const done = await account.waitForRender(id, () => {});
  return { id, url: done.url as string };
}

describe('render download', () => {
  it('a stalled URL and stalled fallbacks share one budget: timeout, no file left', async () => {
    // No idle timer to speak of: only the overall budget can end a stall.
    h = await harness({ renderPolls: 1 }, { httpTimeoutMs: 10_000, transferTimeoutMs: 300 });
    const { account } = h.anon();
    const { id, url } = await rendered(account);
    h.fake.options.faults.push(
      { route: 'file', stallAfterBytes: 100 },
      { route: 'download', stallAfterBytes: 100, times: 3 },
    );
    const e = (await caught(account.downloadRender({ id, url, dest: path.join(dir, 'v.mp4') }))) as NemoError;
    expect(e).toMatchObject({ code: 'timeout', kind: 'timeout' });
    // The URL's stall used the whole budget: no fallback attempt got a budget of its own.
    expect(h.fake.count('file')).toBe(1);
    expect(h.fake.count('download')).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a stall found by the idle timer moves on to the fallback, inside the same budget', async () => {
    h = await harness({ renderPolls: 1 }, { httpTimeoutMs: 100, transferTimeoutMs: 5_000 });
    const { account } = h.anon();
    const { id, url } = await rendered(account);
    h.fake.options.faults.push(
      { route: 'file', stallAfterBytes: 100 },
      { route: 'download', stallAfterBytes: 100 },
      { route: 'download', reset: true },
    );
    const file = await account.downloadRender({ id, url, dest: path.join(dir, 'v.mp4') });
    expect(await readFile(file.path)).toEqual(h.fake.mp4());
    expect([h.fake.count('file'), h.fake.count('download')]).toEqual([1, 3]);
    expect(await readdir(dir)).toEqual(['v.mp4']);
  });

  it('an explicit budget bounds the fallback retries too', async () => {
    h = await harness({ renderPolls: 1 }, { httpTimeoutMs: 10_000 });
    const { account } = h.anon();
    const { id } = await rendered(account);
    h.fake.options.faults.push({ route: 'download', stallAfterBytes: 10, times: 10 });
    const e = await caught(account.downloadRender({ id, dest: path.join(dir, 'v.mp4'), budgetMs: 150 }));
    expect(e).toMatchObject({ code: 'timeout' });
    expect(h.fake.count('download')).toBe(1);
  });
});

describe('oversized SSE events', () => {
  it('an event past the size limit is a distinct agent error; the stream goes on', async () => {
    h = await harness(
      { bigToolResultChars: 200_000, heartbeatMs: 5, generateMs: 30 },
      {},
      { maxEventChars: 64_000 },
    );
    const { account } = h.anon();
    const s = await account.createSession('en');
    const events = await collect(account.chat(s.sessionId, GEN));
    const kinds = events
      .filter((e) => e.type !== 'heartbeat')
      .map((e) => (e.type === 'error' ? e.code : e.type));
    expect(kinds).toEqual(['tool_call', EVENT_TOO_LARGE, 'text']);
    expect(h.fake.duplicateChats).toEqual([]);
  });

  it('chunked byte by byte with CRLF, the skip still finds the end of the event', async () => {
    h = await harness(
      { bigToolResultChars: 20_000, lineEnding: '\r\n', chunkBytes: 7, heartbeatMs: 1_000, generateMs: 5 },
      {},
      { maxEventChars: 4_000 },
    );
    const { account } = h.anon();
    const s = await account.createSession('en');
    const events = await collect(account.chat(s.sessionId, GEN));
    const kinds = events
      .filter((e) => e.type !== 'heartbeat')
      .map((e) => (e.type === 'error' ? e.code : e.type));
    expect(kinds).toEqual(['tool_call', EVENT_TOO_LARGE, 'text']);
  });
});
