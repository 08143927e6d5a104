// No token or client id in a log line or an error message, over a whole flow and when the backend echoes one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { NemoError } from '../../src/nemo/index.ts';
import { caught, clientFor, collect, type Harness, harness, rawServer } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('a whole flow with re-auth and failures leaks no token or client id', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nemo-sec-'));
  h = await harness({ errorsAs: 'status', heartbeatMs: 5, generateMs: 30 });
  const { account, clientId } = h.anon('discord');
  const errors: unknown[] = [];
  const s = await account.createSession('en');
  h.fake.options.faults.push({ route: 'state', code: 1001 });
  await collect(account.chat(s.sessionId, 'generate a promo for my shop'));
  const st = await account.state(s.sessionId);
  const id = await account.startRender({ id: 'render_s', sessionId: s.sessionId, draft: st.draft ?? {} });
  const done = await account.waitForRender(id, () => {});
  await account.downloadRender({ id, ...(done.url ? { url: done.url } : {}), dest: path.join(dir, 'o.mp4') });
  h.fake.options.faults.push({ route: 'chat', disconnectAfterEvents: 1 });
  errors.push(await caught(collect(account.chat(s.sessionId, 'add music'))));
  h.fake.options.faults.push({ route: 'credits', code: 1001, times: 2 });
  errors.push(await caught(account.credits()));
  errors.push(await caught(h.client.anonymousToken('')));
  await rm(dir, { recursive: true, force: true });

  const logs = h.logs();
  expect(logs.length).toBeGreaterThan(1000);
  expect(h.fake.issuedTokens.length).toBeGreaterThanOrEqual(3);
  const text = `${logs}\n${errors.map((e) => `${(e as Error).message} ${String((e as Error).cause ?? '')}`).join('\n')}`;
  for (const secret of [...h.fake.issuedTokens, clientId]) {
    expect(h.secrets.has(secret)).toBe(true);
    expect(text).not.toContain(secret);
  }
  expect(text).not.toMatch(/nmv_usr_[0-9a-f]{8}/);
});

it('a 401 body echoing the token is redacted in the error and the log', async () => {
  const token = 'nmv_usr_echoedtoken_0123456789';
  const srv = await rawServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: `token ${req.headers.authorization?.slice(7)} is not valid` }));
  });
  const { client, logs } = clientFor(srv.url);
  const account = client.account({ kind: 'operator', token }, { platform: 'terminal' });
  const e = (await caught(account.credits())) as NemoError;
  expect(e.code).toBe('token_invalid');
  expect(e.message).toContain('[REDACTED]');
  expect(e.message).not.toContain(token);
  expect(logs()).toContain('[REDACTED]');
  expect(logs()).not.toContain(token);
  await srv.close();
});

it('download URLs are logged without their query string', async () => {
  const srv = await rawServer((_req, res) => {
    res.writeHead(500);
    res.end();
  });
  h = await harness();
  const { account } = h.anon();
  const e = await caught(
    account.downloadRender({
      id: 'render_q',
      url: `${srv.url}/v.mp4?sig=unregistered-signature-xyz`,
      dest: '/tmp/nope.mp4',
    }),
  );
  expect((e as Error).message).not.toContain('unregistered-signature-xyz');
  expect(h.logs()).not.toContain('unregistered-signature-xyz');
  await srv.close();
});
