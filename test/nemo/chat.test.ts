// The chat stream against the fake: every SSE variant, never re-sending, budgets, abort and cleanup.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { NemoError, NemoEvent } from '../../src/nemo/index.ts';
import type { FakeNemoOptions } from '../fakes/nemo/types.ts';
import { caught, clientFor, collect, type Harness, harness, rawServer } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GEN = 'generate a 30-second promo for my coffee shop';

async function turn(opts: Partial<FakeNemoOptions>, text = GEN) {
  h = await harness(opts);
  const { account } = h.anon();
  const s = await account.createSession('en');
  const events = await collect(account.chat(s.sessionId, text));
  return { events, account, sessionId: s.sessionId };
}

const texts = (evs: NemoEvent[]) => evs.flatMap((e) => (e.type === 'text' ? [e.text] : []));
/** Event types without heartbeats and live-preview chunks (checked on their own below). */
const types = (evs: NemoEvent[]) =>
  evs.map((e) => e.type).filter((t) => t !== 'heartbeat' && t !== 'partial');

describe('chat stream variants', () => {
  const variants: Array<[string, Partial<FakeNemoOptions>]> = [
    ['ADK defaults', {}],
    ['heartbeat json', { heartbeat: 'json' }],
    ['heartbeat comment', { heartbeat: 'comment' }],
    ['CRLF line endings', { lineEnding: '\r\n' }],
    ['byte-by-byte chunks', { chunkBytes: 1, generateMs: 30 }],
    ['7-byte chunks + CRLF', { chunkBytes: 7, lineEnding: '\r\n' }],
    ['partial text + thoughts', { partialText: true, thoughts: true }],
    ['simplified events', { simplifiedEvents: true }],
  ];
  for (const [name, opts] of variants) {
    it(`${name}: tool call, heartbeats, tool result, one complete text`, async () => {
      const { events } = await turn({ heartbeatMs: 5, generateMs: 60, ...opts });
      expect(types(events)).toEqual(['tool_call', 'tool_result', 'text']);
      expect(texts(events)).toHaveLength(1);
      expect(texts(events)[0]).toMatch(/^Your 30-second promo is ready!/);
      expect(events.filter((e) => e.type === 'heartbeat').length).toBeGreaterThan(0);
      const call = events.find((e) => e.type === 'tool_call');
      expect(call).toMatchObject({ name: 'generate_video_with_seedance' });
    });
  }

  it('partial chunks come before the complete text and add up to it (a live preview only)', async () => {
    const { events } = await turn({ heartbeatMs: 5, generateMs: 60, partialText: true, thoughts: true });
    const at = events.findIndex((e) => e.type === 'text');
    const partials = events.flatMap((e, i) => (e.type === 'partial' ? [{ i, text: e.text }] : []));
    expect(partials.length).toBeGreaterThan(1);
    expect(partials.every((p) => p.i < at)).toBe(true);
    expect(partials.map((p) => p.text).join('')).toBe(texts(events)[0]);
  });

  it('silent edits end with tool events and no text', async () => {
    h = await harness({ silentEdits: true });
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN));
    const events = await collect(account.chat(s.sessionId, 'add some background music'));
    expect(types(events)).toEqual(['tool_call', 'tool_result']);
  });

  it('a stream error event is yielded, then the stream ends', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', streamError: 'Agent crashed', disconnectAfterEvents: 1 });
    const events = await collect(account.chat(s.sessionId, GEN));
    expect(types(events)).toEqual(['tool_call', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', message: 'Agent crashed' });
  });
});

describe('never re-send (docs/decisions.md, decision 2)', () => {
  it('mid-stream disconnect: stream_broken, delivered, one send', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', disconnectAfterEvents: 1 });
    const seen: NemoEvent[] = [];
    const e = (await caught(async () => {
      for await (const ev of account.chat(s.sessionId, GEN)) seen.push(ev);
    })) as NemoError;
    expect(e).toMatchObject({ code: 'stream_broken', delivered: true, kind: 'network' });
    expect(types(seen)).toEqual(['tool_call']);
    expect(h.fake.chats).toHaveLength(1);
    expect(h.fake.count('chat')).toBe(1);
    expect(h.fake.duplicateChats).toEqual([]);
  });

  it('disconnect before any event: still delivered, one send', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', disconnectAfterEvents: 0 });
    const e = (await caught(collect(account.chat(s.sessionId, 'hello')))) as NemoError;
    expect(e).toMatchObject({ code: 'stream_broken', delivered: true });
    expect(h.fake.count('chat')).toBe(1);
  });

  it('1001 before the stream opens: re-auth and one retry (one delivery)', async () => {
    h = await harness({ errorsAs: 'status' });
    const { account, saved } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', code: 1001 });
    const events = await collect(account.chat(s.sessionId, 'hello'));
    expect(texts(events)).toHaveLength(1);
    expect(h.fake.count('chat')).toBe(2);
    expect(h.fake.chats).toHaveLength(1);
    expect(saved).toHaveLength(2);
  });

  it('429 before the stream: one retry after the delay; twice: rate_limited, not delivered', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', status: 429 });
    expect(texts(await collect(account.chat(s.sessionId, 'hello')))).toHaveLength(1);
    h.fake.options.faults.push({ route: 'chat', status: 429, times: 2 });
    const e = (await caught(collect(account.chat(s.sessionId, 'hello again')))) as NemoError;
    expect(e).toMatchObject({ code: 'rate_limited', delivered: false });
    expect(h.fake.count('chat')).toBe(4);
    expect(h.fake.chats).toHaveLength(1);
  });

  it('a 5xx before the stream is retried once only', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'chat', status: 503, times: 2 });
    const e = (await caught(collect(account.chat(s.sessionId, 'hello')))) as NemoError;
    expect(e).toMatchObject({ code: 'backend', status: 503, delivered: false });
    expect(h.fake.count('chat')).toBe(2);
  });

  it('a refused connection never carried the message: unreachable, not delivered', async () => {
    const srv = await rawServer(() => {});
    await srv.close();
    const { client } = clientFor(srv.url);
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    const e = (await caught(collect(account.chat('1', 'hi')))) as NemoError;
    expect(e).toMatchObject({ code: 'unreachable', kind: 'network', delivered: false });
  });

  it('a connection reset after the body was sent counts as delivered', async () => {
    let got = 0;
    const srv = await rawServer((req) => {
      req.on('data', () => {});
      req.on('end', () => {
        got++;
        req.socket.destroy();
      });
    });
    const { client } = clientFor(srv.url);
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    const e = (await caught(collect(account.chat('1', 'hi')))) as NemoError;
    expect(e).toMatchObject({ code: 'stream_broken', delivered: true });
    expect(got).toBe(1);
    await srv.close();
  });
});

describe('budgets, abort and cleanup', () => {
  it('emits stuck once after only heartbeats for sseStuckMs, then goes on', async () => {
    h = await harness({ heartbeatMs: 5, generateMs: 250 }, { sseStuckMs: 60 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    const events = await collect(account.chat(s.sessionId, GEN));
    expect(types(events)).toEqual(['tool_call', 'stuck', 'tool_result', 'text']);
  });

  it('the overall SSE budget ends a turn: timeout, delivered', async () => {
    h = await harness({ heartbeatMs: 5, generateMs: 5_000 }, { sseTimeoutMs: 120 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    const e = (await caught(collect(account.chat(s.sessionId, GEN)))) as NemoError;
    expect(e).toMatchObject({ code: 'timeout', kind: 'timeout', delivered: true });
    expect(h.fake.count('chat')).toBe(1);
  });

  it('the SSE call is not cut by an idle body timer (silence longer than httpTimeoutMs)', async () => {
    // No heartbeats at all for 3x the per-call budget: only the SSE budgets apply.
    h = await harness({ heartbeatMs: 10_000, generateMs: 1_200 }, { httpTimeoutMs: 100 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    const events = await collect(account.chat(s.sessionId, GEN));
    expect(texts(events)).toHaveLength(1);
  });

  it('the caller abort ends the stream: aborted, delivered', async () => {
    h = await harness({ heartbeatMs: 5, generateMs: 5_000 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    const ac = new AbortController();
    const seen: NemoEvent[] = [];
    const e = (await caught(async () => {
      for await (const ev of account.chat(s.sessionId, GEN, ac.signal)) {
        seen.push(ev);
        if (ev.type === 'heartbeat') ac.abort();
      }
    })) as NemoError;
    expect(e).toMatchObject({ code: 'aborted', delivered: true });
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a consumer that stops early closes the request', async () => {
    h = await harness({ heartbeatMs: 5, generateMs: 5_000 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.credits = { available: 100, frozen: 0 };
    for await (const ev of account.chat(s.sessionId, GEN)) {
      if (ev.type === 'tool_call') break;
    }
    // The fake refunds frozen credits when the client leaves mid-turn.
    for (let i = 0; i < 50 && h.fake.options.credits.frozen > 0; i++) await sleep(10);
    expect(h.fake.options.credits).toEqual({ available: 100, frozen: 0 });
  });
});
