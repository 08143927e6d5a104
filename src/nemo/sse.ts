import type { AccountCtx } from './call.ts';
import { authHeaders, backoffMs, readAnswer } from './call.ts';
import type { NemoError } from './errors.ts';
import { createEventDecoder } from './events.ts';
import { Deadline, type SendResult, send, sleep, transportError } from './http.ts';
import type { NemoEvent } from './types.ts';

// The chat turn: POST /run_sse and stream the agent's events. Decision 2 of docs/decisions.md rules here: once the
// body may have left (or a 2xx came), the message counts as delivered and is never sent again.

const PATH = '/run_sse';

/** Marks the request body as (possibly) sent the moment undici starts pulling it. */
async function* tracked(payload: Buffer, sent: { value: boolean }): AsyncGenerator<Uint8Array> {
  sent.value = true;
  yield payload;
}

/** A transport failure of the chat call, saying whether the message may have reached the agent. */
function chatFailure(ctx: AccountCtx, e: unknown, deadline: Deadline, delivered: boolean) {
  return transportError(e, { method: 'POST', path: PATH, deadline, secrets: ctx.deps.secrets, delivered });
}

/** Opens the stream; a refusal before it opens is retried once (1001 after re-auth, 429/5xx after a wait). */
async function open(
  ctx: AccountCtx,
  payload: Buffer,
  signal: AbortSignal | undefined,
): Promise<{ res: SendResult | undefined; deadline: Deadline }> {
  let retried = false;
  for (;;) {
    const token = await ctx.auth.token(signal);
    const deadline = new Deadline(signal, ctx.timing.sseTimeoutMs);
    const sent = { value: false };
    let res: SendResult;
    try {
      res = await send(ctx.deps, {
        method: 'POST',
        path: PATH,
        headers: {
          ...authHeaders(ctx, token),
          'content-type': 'application/json',
          'content-length': String(payload.length),
          accept: 'text/event-stream',
        },
        body: tracked(payload, sent),
        deadline,
        headersTimeoutMs: Math.min(
          ctx.timing.httpTimeoutMs,
          ctx.timing.sseTimeoutMs || Number.MAX_SAFE_INTEGER,
        ),
        // undici's default 300 s idle timer would cut a silent generation: our own budgets rule instead.
        bodyTimeoutMs: 0,
      });
    } catch (e) {
      deadline.clear();
      throw chatFailure(ctx, e, deadline, sent.value);
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const type = String(res.headers['content-type'] ?? '');
    if (ok && !type.includes('json')) return { res, deadline };
    // Not a stream: a JSON answer (an error envelope even with 200) means the agent did not take the message.
    let err: NemoError | undefined;
    try {
      ({ err } = await readAnswer(ctx, res, { method: 'POST', path: PATH, delivered: false }));
    } catch (e) {
      throw chatFailure(ctx, e, deadline, true);
    } finally {
      deadline.clear();
    }
    // A 2xx JSON success without a stream: delivered, nothing to relay.
    if (!err) return { res: undefined, deadline };
    if (!retried) {
      if (err.code === 'token_invalid' && ctx.auth.canRefresh) {
        retried = true;
        await ctx.auth.refresh(token, signal);
        continue;
      }
      if (err.code === 'rate_limited') {
        retried = true;
        await sleep(ctx.timing.rateLimitRetryMs, signal);
        continue;
      }
      if (err.code === 'backend' && (err.status ?? 0) >= 500 && err.bodyCode === undefined) {
        retried = true;
        await sleep(backoffMs(ctx.timing, 1), signal);
        continue;
      }
    }
    throw err;
  }
}

export async function* chat(
  ctx: AccountCtx,
  sessionId: string,
  text: string,
  signal?: AbortSignal,
): AsyncGenerator<NemoEvent> {
  const payload = Buffer.from(
    JSON.stringify({
      app_name: 'nemo_agent',
      user_id: 'me',
      session_id: sessionId,
      new_message: { parts: [{ text }] },
    }),
  );
  const { res, deadline } = await open(ctx, payload, signal);
  if (!res) return;
  const queue: NemoEvent[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const push = (e: NemoEvent) => {
    queue.push(e);
    wake?.();
  };

  // "Stuck": only heartbeats (or nothing) for sseStuckMs since the last real event. Said once.
  let stuckTimer: NodeJS.Timeout | undefined;
  let stuckSaid = false;
  const armStuck = () => {
    if (stuckTimer) clearTimeout(stuckTimer);
    if (stuckSaid || ctx.timing.sseStuckMs <= 0) return;
    stuckTimer = setTimeout(() => {
      stuckSaid = true;
      push({ type: 'stuck' });
    }, ctx.timing.sseStuckMs);
  };
  armStuck();

  const decoder = createEventDecoder(
    (e) => {
      if (e.type !== 'heartbeat') armStuck();
      push(e);
    },
    ctx.maxEventChars !== undefined ? { maxEventChars: ctx.maxEventChars } : {},
  );
  const pump = (async () => {
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) decoder.feed(chunk);
      decoder.end();
    } catch (e) {
      failure = e;
    } finally {
      done = true;
      wake?.();
    }
  })();

  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (done) break;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = undefined;
    }
    if (failure !== undefined) {
      throw chatFailure(ctx, failure, deadline, true);
    }
  } finally {
    if (stuckTimer) clearTimeout(stuckTimer);
    deadline.clear();
    // The consumer stopped early (or failed): close the request so the socket does not linger.
    if (!done) {
      deadline.abort();
      await pump;
    }
  }
}
