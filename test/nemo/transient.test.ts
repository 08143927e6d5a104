// Decision 12 "transient is not fatal": idempotent calls (credits, state, render poll) ride out network errors,
// timeouts, 5xx and `{code: 500}` bodies inside their budget; render create, uploads and the agent message are
// never sent twice (decision 2). Faults come from the fake NemoVideo's switches, on its real wire format.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isNemoError, type NemoAccount, type NemoError } from '../../src/nemo/index.ts';
import { caught, collect, type Harness, harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GEN = 'generate a 30-second promo for my coffee shop';

/** A session with an exportable draft and a created render. */
async function rendering(account: NemoAccount, id = 'render_t'): Promise<string> {
  const s = await account.createSession('en');
  await collect(account.chat(s.sessionId, GEN));
  const { draft } = await account.state(s.sessionId);
  return account.startRender({ id, sessionId: s.sessionId, draft: draft ?? {} });
}

describe('idempotent calls', () => {
  it('a {code: 500} body on credits is retried: the caller gets the balance, not an error', async () => {
    h = await harness({ errorsAs: 'body' });
    const { account } = h.anon();
    h.fake.options.faults.push({ route: 'credits', code: 500, times: 2 });
    expect(await account.credits()).toMatchObject({ available: 100 });
    expect(h.fake.count('credits')).toBe(3);
  });

  it('network resets, a 502 and a timed-out attempt on state are ridden out', async () => {
    h = await harness({}, { httpTimeoutMs: 300 });
    const { account } = h.anon();
    const s = await account.createSession('en');
    h.fake.options.faults.push(
      { route: 'state', reset: true, times: 2 },
      { route: 'state', status: 502 },
      { route: 'state', hangMs: 5_000 },
    );
    // The timed-out attempt spends the call's budget: a timeout is retried only when budget is left.
    const e = (await caught(account.state(s.sessionId))) as NemoError;
    expect(e).toMatchObject({ code: 'timeout', kind: 'timeout' });
    expect(h.fake.count('state')).toBe(4);
    h.fake.options.faults.push({ route: 'state', reset: true }, { route: 'state', status: 503 });
    expect((await account.state(s.sessionId)).draft).toBeDefined();
    expect(h.fake.count('state')).toBe(7);
  });

  it('a business refusal is an answer, not a transient failure: no retry', async () => {
    h = await harness({ errorsAs: 'body' });
    const { account } = h.anon();
    h.fake.options.faults.push({ route: 'credits', code: 2001 });
    expect(isNemoError(await caught(account.credits()), 'no_credits')).toBe(true);
    expect(h.fake.count('credits')).toBe(1);
  });

  it('render create, upload and the agent message are never sent twice', async () => {
    h = await harness();
    const { account } = h.anon();
    const s = await account.createSession('en');
    await collect(account.chat(s.sessionId, GEN));
    const { draft } = await account.state(s.sessionId);
    h.fake.options.faults.push({ route: 'render', status: 503 }, { route: 'render', reset: true });
    const args = { id: 'render_once', sessionId: s.sessionId, draft: draft ?? {} };
    expect(await caught(account.startRender(args))).toMatchObject({ code: 'backend', status: 503 });
    expect(await caught(account.startRender({ ...args, id: 'render_twice' }))).toMatchObject({
      code: 'unreachable',
    });
    expect(h.fake.count('render')).toBe(2);
    h.fake.options.faults.push({ route: 'upload', status: 503 });
    const file = { name: 'a.mp4', size: 3, stream: Readable.from([Buffer.from('abc')]) };
    expect(isNemoError(await caught(account.upload(s.sessionId, file)), 'backend')).toBe(true);
    expect(h.fake.count('upload')).toBe(1);
    // The connection drops once the message went out: delivered, so not sent again.
    h.fake.options.faults.push({ route: 'chat', reset: true });
    const e = (await caught(collect(account.chat(s.sessionId, 'add music')))) as NemoError;
    expect(e.delivered).toBe(true);
    expect(h.fake.count('chat')).toBe(2);
    expect(h.fake.duplicateChats).toEqual([]);
  });
});

describe('render polling', () => {
  it('rides out resets, 5xx and {code: 500} bodies in a row, then completes', async () => {
    h = await harness({ renderPolls: 3 }, { renderPollIntervalMs: 5, renderPollMax: 100 });
    const { account } = h.anon();
    const id = await rendering(account);
    h.fake.options.faults.push(
      { route: 'poll', reset: true, times: 2 },
      { route: 'poll', status: 502, times: 2 },
      { route: 'poll', code: 500, times: 2 },
    );
    const seen: string[] = [];
    const done = await account.waitForRender(id, (s) => void seen.push(s.status));
    expect(done).toMatchObject({ id, status: 'completed' });
    expect(done.url).toMatch(/\/files\/render_t\.mp4$/);
    expect(seen).toEqual(['processing', 'processing', 'completed']);
    expect(h.fake.count('poll')).toBe(3 + 6);
  });

  it('an outage window and a timed-out poll during an export do not abandon it', async () => {
    h = await harness({ renderPolls: 2 }, { renderPollIntervalMs: 5, renderPollMax: 200, httpTimeoutMs: 50 });
    const { account } = h.anon();
    const id = await rendering(account);
    h.fake.options.faults.push(
      { route: 'poll', hangMs: 1_000 },
      { route: 'poll', reset: true, windowMs: 60 },
    );
    const done = await account.waitForRender(id, () => {});
    expect(done.status).toBe('completed');
    expect(h.fake.count('poll')).toBeGreaterThan(2 + 2);
  });

  it('ends distinctly: failed (NemoVideo said so), budget spent, aborted', async () => {
    h = await harness({ renderPolls: 2 }, { renderPollIntervalMs: 5, renderPollMax: 10 });
    const { account } = h.anon();

    h.fake.options.renderFails = true;
    const failed = (await caught(
      account.waitForRender(await rendering(account, 'r_f'), () => {}),
    )) as NemoError;
    expect(failed).toMatchObject({ code: 'render_failed', kind: 'refused' });
    h.fake.options.renderFails = false;

    // NemoVideo unreachable for longer than the budget: the budget is spent, the outage is the cause.
    const id = await rendering(account, 'r_b');
    h.fake.options.faults.push({ route: 'poll', status: 503, times: 100_000 });
    const spent = (await caught(account.waitForRender(id, () => {}))) as NemoError;
    expect(spent).toMatchObject({ code: 'render_timeout', kind: 'timeout' });
    expect(spent.cause).toMatchObject({ code: 'backend', status: 503 });
    h.fake.options.faults = [];

    // An explicit budget: three intervals, three answered polls of a render that needs more.
    h.fake.options.renderPolls = 50;
    const polls = h.fake.count('poll');
    const short = await caught(
      account.waitForRender(await rendering(account, 'r_s'), () => {}, undefined, { budgetMs: 15 }),
    );
    expect(short).toMatchObject({ code: 'render_timeout' });
    expect(h.fake.count('poll') - polls).toBe(3);

    const ac = new AbortController();
    const waiting = caught(
      account.waitForRender(await rendering(account, 'r_a'), () => ac.abort(), ac.signal, {
        budgetMs: 60_000,
      }),
    );
    expect(await waiting).toMatchObject({ code: 'aborted', kind: 'aborted' });
  });
});
