import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { type AccountCtx, authHeaders, backoffMs, call, isTransient, withRetries } from './call.ts';
import { refusal } from './classify.ts';
import { isNemoError, NemoError } from './errors.ts';
import { attribution, Deadline, logPath, readJson, resolveUrl, send, sleep, transportError } from './http.ts';
import { type RenderJobWire, renderJob } from './schemas.ts';
import type { CompletedRender, Draft, RenderPhase, RenderStatus } from './types.ts';

// Export: create a render job, poll it (shapes A and B) through outages, cancel it, download the MP4 within
// one budget without ever leaving a partial file behind.

const LAMBDA = '/api/render/proxy/lambda';

/** A render id the backend accepts (`render_<ts>_<rand>`): chosen by the client, unique across processes. */
export function newRenderId(): string {
  return `render_${Date.now()}_${randomBytes(4).toString('hex')}`;
}

/** The proxy download of a render (needs the account's token). */
export const downloadPath = (id: string): string => `/api/render/proxy/${encodeURIComponent(id)}/download`;

/** The backend refused a render create because its id exists (HTTP 409 or a "duplicate" message). */
export const isDuplicateRender = (e: unknown): boolean =>
  isNemoError(e) &&
  e.kind === 'refused' &&
  (e.status === 409 || /duplicate|already exist|exists|conflict/i.test(e.message));

export async function startRender(
  ctx: AccountCtx,
  args: { id: string; sessionId: string; draft: Draft; newIdOnDuplicate?: boolean },
  signal?: AbortSignal,
): Promise<string> {
  const create = (id: string) =>
    call(
      ctx,
      {
        method: 'POST',
        path: LAMBDA,
        json: {
          id,
          sessionId: args.sessionId,
          draft: args.draft,
          output: { format: 'mp4', quality: 'high' },
        },
        schema: z.unknown(),
        envelope: 'any',
      },
      signal,
    );
  try {
    await create(args.id);
    return args.id;
  } catch (e) {
    if (!isDuplicateRender(e) || args.newIdOnDuplicate === false) throw e;
    const id = newRenderId();
    ctx.deps.logger.info({ id }, 'render id taken: retrying with a new id');
    await create(id);
    return id;
  }
}

function phase(s: string): RenderPhase {
  const v = s.toLowerCase();
  if (['completed', 'complete', 'succeeded', 'success', 'done', 'finished'].includes(v)) return 'completed';
  if (['failed', 'failure', 'error', 'cancelled', 'canceled'].includes(v)) return 'failed';
  if (['pending', 'queued', 'waiting', 'created'].includes(v)) return 'pending';
  return 'processing';
}

export function toRenderStatus(baseUrl: string, id: string, j: RenderJobWire): RenderStatus {
  const rid = j.id ?? j.taskId ?? id;
  const out: RenderStatus = {
    id: rid,
    status: phase(j.status),
    downloadUrl: resolveUrl(baseUrl, downloadPath(rid)),
  };
  if (typeof j.progress === 'number' && Number.isFinite(j.progress)) out.progress = j.progress;
  const url = j.outputUrl ?? j.output?.url;
  if (url) out.url = resolveUrl(baseUrl, url);
  if (typeof j.output?.duration === 'number') out.durationSec = j.output.duration;
  if (typeof j.output?.size === 'number') out.size = j.output.size;
  if (j.error !== undefined && j.error !== null && j.error !== '') {
    out.error = typeof j.error === 'string' ? j.error : JSON.stringify(j.error);
  }
  return out;
}

const pollSpec = (id: string) =>
  ({
    method: 'GET',
    path: `${LAMBDA}/${encodeURIComponent(id)}`,
    schema: renderJob,
    envelope: 'any',
  }) as const;

export async function renderStatus(ctx: AccountCtx, id: string, signal?: AbortSignal): Promise<RenderStatus> {
  return toRenderStatus(ctx.deps.baseUrl, id, await call(ctx, pollSpec(id), signal));
}

/**
 * Polls every RENDER_POLL_INTERVAL_MS until the render completes. Ends only three ways besides success:
 * `render_failed` (NemoVideo said so), `render_timeout` (the budget is spent; the last transient failure is
 * its cause) or `aborted`. Transient failures (network, timeout, 5xx) are retried with backoff, never more
 * than an interval apart. The budget (default interval × RENDER_POLL_MAX) is charged with every wait and
 * with the time failed polls took; an answered poll's own latency is not charged, so RENDER_POLL_MAX answered
 * polls always fit.
 */
export async function waitForRender(
  ctx: AccountCtx,
  id: string,
  onProgress: (s: RenderStatus) => void | Promise<void>,
  signal?: AbortSignal,
  options: { budgetMs?: number } = {},
): Promise<CompletedRender> {
  // At least 1 ms, so every poll is charged something and a 0 interval still means RENDER_POLL_MAX polls.
  const interval = Math.max(1, ctx.timing.renderPollIntervalMs);
  const budget = options.budgetMs ?? interval * ctx.timing.renderPollMax;
  let charged = 0;
  let failures = 0;
  let lastFailure: NemoError | undefined;
  for (;;) {
    // A render takes 30–90 s: the first look is worth one interval of waiting.
    const wait = failures === 0 ? interval : Math.min(interval, backoffMs(ctx.timing, failures));
    if (charged + wait > budget) break;
    await sleep(wait, signal);
    charged += wait;
    const started = Date.now();
    let s: RenderStatus;
    try {
      // One attempt per poll (re-auth and 429 still handled): this loop owns the transient retries.
      s = toRenderStatus(
        ctx.deps.baseUrl,
        id,
        await call(ctx, { ...pollSpec(id), idempotent: false }, signal),
      );
    } catch (e) {
      if (!isNemoError(e) || !isTransient(e)) throw e;
      charged += Date.now() - started;
      failures += 1;
      lastFailure = e;
      ctx.deps.logger.info({ render: id, code: e.code, status: e.status, failures }, 'render poll failed');
      continue;
    }
    failures = 0;
    await onProgress(s);
    if (s.status === 'completed') return { ...s, status: 'completed' };
    if (s.status === 'failed') {
      const why = ctx.deps.secrets.redact(s.error ?? 'no reason given').slice(0, 300);
      throw new NemoError(
        { code: 'render_failed', kind: 'refused', method: 'GET', path: LAMBDA },
        `render failed: ${why}`,
      );
    }
  }
  throw new NemoError(
    { code: 'render_timeout', kind: 'timeout', method: 'GET', path: LAMBDA },
    `render not completed within its budget (${budget} ms)`,
    lastFailure ? { cause: lastFailure } : undefined,
  );
}

export async function cancelRender(ctx: AccountCtx, id: string, signal?: AbortSignal): Promise<void> {
  await call(
    ctx,
    {
      method: 'POST',
      path: `${LAMBDA}/${encodeURIComponent(id)}/cancel`,
      schema: z.unknown(),
      envelope: 'any',
    },
    signal,
  );
}

function tooLarge(max: number, path: string): NemoError {
  return new NemoError(
    { code: 'file_too_large', kind: 'refused', method: 'GET', path: logPath(path) },
    `video larger than ${max} bytes`,
  );
}

/** One GET of `path` into `dest` via a temp file; the bearer token goes only to the backend's origin. */
async function fetchTo(
  ctx: AccountCtx,
  path: string,
  token: string | undefined,
  args: { dest: string; maxBytes?: number | undefined },
  deadline: Deadline,
): Promise<{ path: string; size: number }> {
  const { dest, maxBytes } = args;
  const t = ctx.timing;
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
  let wrote = false;
  try {
    const res = await send(ctx.deps, {
      method: 'GET',
      path,
      headers: token ? authHeaders(ctx, token) : attribution(ctx.deps.version, ctx.platform),
      deadline,
      // A stall (no byte for this long) ends the attempt; the deadline bounds all attempts together.
      headersTimeoutMs: t.httpTimeoutMs,
      bodyTimeoutMs: t.httpTimeoutMs,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const { json, text } = await readJson(res);
      throw (
        refusal({ status: res.statusCode, json, text, method: 'GET', path, secrets: ctx.deps.secrets }) ??
        new NemoError(
          { code: 'backend', kind: 'refused', status: res.statusCode },
          `download: ${res.statusCode}`,
        )
      );
    }
    const declared = Number(res.headers['content-length']);
    if (maxBytes !== undefined && Number.isFinite(declared) && declared > maxBytes) {
      // Nobody reads this body: without a listener undici's abort error would surface as unhandled.
      res.body.on('error', () => {});
      res.body.destroy();
      throw tooLarge(maxBytes, path);
    }
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (maxBytes !== undefined && size > maxBytes) done(tooLarge(maxBytes, path));
        else done(null, chunk);
      },
    });
    wrote = true;
    await pipeline(res.body, counter, createWriteStream(tmp), { signal: deadline.signal });
    await rename(tmp, dest);
    wrote = false;
    return { path: dest, size };
  } catch (e) {
    const tl = findTooLarge(e);
    if (tl) throw tl;
    throw transportError(e, { method: 'GET', path, deadline, secrets: ctx.deps.secrets });
  } finally {
    if (wrote) await unlink(tmp).catch(() => {});
  }
}

function findTooLarge(e: unknown): NemoError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    if (isNemoError(cur, 'file_too_large')) return cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}

/**
 * Downloads from `url` once, else from the proxy download (transient failures retried): every attempt shares
 * one budget (default TRANSFER_TIMEOUT_MS), so a stalled download holds the chat at most that long before
 * the caller falls back to posting the link.
 */
export async function downloadRender(
  ctx: AccountCtx,
  args: { id: string; url?: string; dest: string; maxBytes?: number; budgetMs?: number },
  signal?: AbortSignal,
): Promise<{ path: string; size: number }> {
  const deadline = new Deadline(signal, args.budgetMs ?? ctx.timing.transferTimeoutMs);
  try {
    if (args.url) {
      const sameOrigin =
        new URL(resolveUrl(ctx.deps.baseUrl, args.url)).origin === new URL(ctx.deps.baseUrl).origin;
      try {
        const token = sameOrigin ? await ctx.auth.token(deadline.signal) : undefined;
        return await fetchTo(ctx, args.url, token, args, deadline);
      } catch (e) {
        const out = transportError(e, { method: 'GET', path: args.url, deadline, secrets: ctx.deps.secrets });
        if (out.code === 'file_too_large' || out.code === 'aborted' || deadline.timedOut) throw out;
        ctx.deps.logger.warn({ code: out.code }, 'render url failed: using the download fallback');
      }
    }
    // Without an overall budget (0), the fallback's retries get the plain-request one.
    const left = deadline.remainingMs;
    const budgetMs = Number.isFinite(left) ? left : ctx.timing.httpTimeoutMs;
    return await withRetries(ctx, { idempotent: true, budgetMs }, signal, (token) =>
      fetchTo(ctx, downloadPath(args.id), token, args, deadline),
    );
  } finally {
    deadline.clear();
  }
}
