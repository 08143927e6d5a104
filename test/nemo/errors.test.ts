// Every error row of docs/nemo-contract.md, with body codes sent both as HTTP 200 and as an HTTP status.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isNemoError, type NemoError } from '../../src/nemo/index.ts';
import { caught, clientFor, collect, type Harness, harness, rawServer } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const file = (name: string, bytes = Buffer.from('0123456789')) => ({
  name,
  size: bytes.length,
  stream: Readable.from([bytes]),
});

for (const errorsAs of ['body', 'status'] as const) {
  describe(`business codes (errorsAs=${errorsAs})`, () => {
    it('1001: re-acquires a token with the same client id, persists it, retries once', async () => {
      h = await harness({ errorsAs });
      const { account, clientId, saved } = h.anon();
      await account.credits();
      const first = saved[0]?.kind === 'anonymous' ? saved[0].token : undefined;
      h.fake.options.faults.push({ route: 'credits', code: 1001 });
      expect(await account.credits()).toMatchObject({ available: 100 });
      expect(h.fake.count('token')).toBe(2);
      expect(h.fake.count('credits')).toBe(3);
      expect(saved).toHaveLength(2);
      const second = saved[1];
      expect(second).toMatchObject({ kind: 'anonymous', clientId });
      expect(second?.kind === 'anonymous' && second.token).not.toBe(first);
      const tokenCalls = h.fake.requests.filter((r) => r.path === '/api/auth/anonymous-token');
      expect(tokenCalls.map((r) => r.headers['x-client-id'])).toEqual([clientId, clientId]);
    });

    it('1001 twice: token_invalid after one retry', async () => {
      h = await harness({ errorsAs });
      const { account } = h.anon();
      h.fake.options.faults.push({ route: 'state', code: 1001, times: 2 });
      const e = (await caught(account.state('1'))) as NemoError;
      expect(e.code).toBe('token_invalid');
      expect(e.kind).toBe('refused');
      expect(e.bodyCode).toBe(1001);
      expect(h.fake.count('state')).toBe(2);
    });

    it('1001 with an operator token: token_invalid, nothing to refresh', async () => {
      h = await harness({ errorsAs });
      const account = h.operator('nmv_usr_operator_abcdefghij');
      h.fake.options.faults.push({ route: 'credits', code: 1001 });
      expect(isNemoError(await caught(account.credits()), 'token_invalid')).toBe(true);
      expect(h.fake.count('token')).toBe(0);
      expect(h.fake.count('credits')).toBe(1);
    });

    it('1002: session_not_found (state of an unknown session)', async () => {
      h = await harness({ errorsAs });
      const { account } = h.anon();
      const e = (await caught(account.state('999'))) as NemoError;
      expect(e.code).toBe('session_not_found');
      expect(e.bodyCode).toBe(1002);
    });

    it('2001: no_credits with the anon_ user id, not delivered', async () => {
      h = await harness({ errorsAs, credits: { available: 0, frozen: 0 } });
      const { account } = h.anon();
      const s = await account.createSession('en');
      const e = (await caught(collect(account.chat(s.sessionId, 'hello')))) as NemoError;
      expect(e.code).toBe('no_credits');
      expect(e.userId).toBe(s.userId);
      expect(e.userId).toMatch(/^anon_/);
      expect(e.delivered).toBe(false);
      expect(h.fake.count('chat')).toBe(1);
    });

    it('4001 / 4002 from the backend on upload', async () => {
      h = await harness({ errorsAs, maxUploadBytes: 5 });
      const { account } = h.anon();
      const s = await account.createSession('en');
      expect(isNemoError(await caught(account.upload(s.sessionId, file('a.mp4'))), 'file_too_large')).toBe(
        true,
      );
      h.fake.options.faults.push({ route: 'upload', code: 4001 });
      expect(isNemoError(await caught(account.upload(s.sessionId, file('b.mp4'))), 'unsupported_file')).toBe(
        true,
      );
      expect(h.fake.uploads).toHaveLength(0);
    });
  });
}

describe('tokens and uploads', () => {
  it('1001 on an upload: the stream cannot be replayed, so token_invalid, but the token is renewed', async () => {
    h = await harness();
    const { account, saved } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push({ route: 'upload', code: 1001 });
    expect(isNemoError(await caught(account.upload(s.sessionId, file('a.mp4'))), 'token_invalid')).toBe(true);
    expect(saved).toHaveLength(2);
    expect(await account.upload(s.sessionId, file('b.mp4'))).toHaveLength(1);
    expect(h.fake.count('upload')).toBe(2);
  });

  it('a token past its expires_at is renewed before the call (same client id)', async () => {
    h = await harness({ tokenTtlMs: 40 });
    const { account, saved } = h.anon();
    const s = await account.createSession('en');
    await new Promise((r) => setTimeout(r, 60));
    expect(await account.upload(s.sessionId, file('a.mp4'))).toHaveLength(1);
    expect(saved).toHaveLength(2);
    expect(h.fake.count('upload')).toBe(1);
  });
});

describe('HTTP statuses', () => {
  it('400 on the token endpoint: client_id_missing', async () => {
    h = await harness();
    const e = (await caught(h.client.anonymousToken(''))) as NemoError;
    expect(e.code).toBe('client_id_missing');
    expect(e.status).toBe(400);
  });

  it('429 on the token endpoint: trial_limit', async () => {
    h = await harness({ tokensPerIp: 0 });
    const { account } = h.anon();
    const e = (await caught(account.credits())) as NemoError;
    expect(e.code).toBe('trial_limit');
    expect(h.fake.count('credits')).toBe(0);
  });

  it('402 on render create: export_blocked', async () => {
    h = await harness();
    const { account } = h.anon();
    h.fake.options.faults.push({ route: 'render', status: 402 });
    const e = (await caught(account.startRender({ id: 'render_x', sessionId: '1', draft: {} }))) as NemoError;
    expect(e.code).toBe('export_blocked');
    expect(h.fake.count('render')).toBe(1);
  });

  it('429 once then success; twice then rate_limited', async () => {
    h = await harness();
    const { account } = h.anon();
    h.fake.options.faults.push({ route: 'credits', status: 429 });
    expect(await account.credits()).toMatchObject({ available: 100 });
    expect(h.fake.count('credits')).toBe(2);
    h.fake.options.faults.push({ route: 'credits', status: 429, times: 2 });
    const e = (await caught(account.credits())) as NemoError;
    expect(e.code).toBe('rate_limited');
    expect(h.fake.count('credits')).toBe(4);
    // POSTs too: a 429 means the call was not processed.
    h.fake.options.faults.push({ route: 'session', status: 429 });
    await account.createSession('en');
    expect(h.fake.count('session')).toBe(2);
  });

  it('the 429 wait honours the abort signal', async () => {
    h = await harness({}, { rateLimitRetryMs: 60_000 });
    const { account } = h.anon();
    await account.credits();
    h.fake.options.faults.push({ route: 'credits', status: 429 });
    const ac = new AbortController();
    const p = caught(account.credits(ac.signal));
    setTimeout(() => ac.abort(), 20);
    expect(((await p) as NemoError).code).toBe('aborted');
  });

  it('GETs retry 5xx with backoff inside their budget; POSTs do not', async () => {
    h = await harness({}, { httpTimeoutMs: 150 });
    const { account } = h.anon();
    h.fake.options.faults.push({ route: 'credits', status: 503, times: 3 });
    expect(await account.credits()).toMatchObject({ available: 100 });
    expect(h.fake.count('credits')).toBe(4);
    // A persistent 5xx: attempts until the call's budget is spent, then the backend's answer.
    h.fake.options.faults.push({ route: 'credits', status: 500, times: 1_000 });
    const e = (await caught(account.credits())) as NemoError;
    expect(e).toMatchObject({ code: 'backend', status: 500, kind: 'refused' });
    expect(h.fake.count('credits')).toBeGreaterThan(4 + 3);
    h.fake.options.faults = [{ route: 'session', status: 503 }];
    expect(isNemoError(await caught(account.createSession('en')), 'backend')).toBe(true);
    expect(h.fake.count('session')).toBe(1);
  });

  it("ADK's 404 'Session not found' on /run_sse: session_not_found", async () => {
    h = await harness();
    const { account } = h.anon();
    const e = (await caught(collect(account.chat('424242', 'hi')))) as NemoError;
    expect(e).toMatchObject({ code: 'session_not_found', status: 404, delivered: false });
  });
});

describe('transport failures', () => {
  it('unreachable: kind network, code unreachable', async () => {
    const srv = await rawServer(() => {});
    const url = srv.url;
    await srv.close();
    const { client } = clientFor(url, { httpTimeoutMs: 100 });
    const e = (await caught(
      client.account({ kind: 'operator', token: 'nmv_usr_x_123456789' }, { platform: 'terminal' }).credits(),
    )) as NemoError;
    expect(e).toMatchObject({ code: 'unreachable', kind: 'network' });
  });

  it('timeout: a silent server trips the per-call budget', async () => {
    const srv = await rawServer(() => {});
    const { client } = clientFor(srv.url, { httpTimeoutMs: 80 });
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    const e = (await caught(account.createSession('en'))) as NemoError;
    expect(e).toMatchObject({ code: 'timeout', kind: 'timeout' });
    await srv.close();
  });

  it('bad_response: an answer that does not match the schema', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 0, data: { available: 'lots', token: 'nmv_usr_leaky_token_123' } }));
    });
    const { client } = clientFor(srv.url);
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    const e = (await caught(account.credits())) as NemoError;
    expect(e).toMatchObject({ code: 'bad_response', kind: 'schema' });
    expect(e.message).not.toContain('leaky');
    await srv.close();
  });

  it('new fields pass: loose schemas', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 0,
          message: 'ok',
          extra: 1,
          data: { available: '7', frozen: 1, bonus: { x: 1 } },
        }),
      );
    });
    const { client } = clientFor(srv.url);
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    expect(await account.credits()).toEqual({ available: 7, frozen: 1, total: 8 });
    await srv.close();
  });

  it('aborted: the caller signal', async () => {
    const srv = await rawServer(() => {});
    const { client } = clientFor(srv.url);
    const account = client.account(
      { kind: 'operator', token: 'nmv_usr_x_123456789' },
      { platform: 'terminal' },
    );
    const ac = new AbortController();
    const p = caught(account.credits(ac.signal));
    setTimeout(() => ac.abort(), 20);
    expect(await p).toMatchObject({ code: 'aborted', kind: 'aborted' });
    const already = (await caught(account.state('1', AbortSignal.abort()))) as NemoError;
    expect(already.code).toBe('aborted');
    await srv.close();
  });
});

describe('local refusals before any byte moves', () => {
  it('unsupported extension and too large a file never reach the backend', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    const before = h.fake.requests.length;
    expect(
      isNemoError(await caught(account.upload(s.sessionId, file('notes.txt'))), 'unsupported_file'),
    ).toBe(true);
    const big = { name: 'big.mp4', size: 9 * 1024 * 1024, stream: Readable.from([Buffer.alloc(1)]) };
    expect(isNemoError(await caught(account.upload(s.sessionId, big)), 'file_too_large')).toBe(true);
    expect(h.fake.requests.length).toBe(before);
  });

  it('a stream longer than the limit (size unknown) is cut off: file_too_large', async () => {
    h = await harness({}, { maxUploadBytes: 100_000 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(10_000, 1));
    const e = (await caught(
      account.upload(s.sessionId, { name: 'x.mp4', stream: Readable.from(chunks) }),
    )) as NemoError;
    expect(e.code).toBe('file_too_large');
    expect(h.fake.uploads).toHaveLength(0);
  });
});
