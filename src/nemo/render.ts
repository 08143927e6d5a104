import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { type AccountCtx, authHeaders, call, withRetries } from './call.ts';
import { refusal } from './classify.ts';
import { isNemoError, NemoError } from './errors.ts';
import { attribution, Deadline, logPath, readJson, resolveUrl, send, sleep, transportError } from './http.ts';
import { type RenderJobWire, renderJob } from './schemas.ts';
import type { Draft, RenderPhase, RenderStatus } from './types.ts';

// Export: create a render job, poll it (shapes A and B), cancel it, download the MP4 without ever leaving a
// partial file behind.

const LAMBDA = '/api/render/proxy/lambda';

export function newRenderId(): string {
  return `render_${Date.now()}_${randomBytes(4).toString('hex')}`;
}

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

export function toRenderStatus(id: string, j: RenderJobWire): RenderStatus {
  const out: RenderStatus = { id: j.id ?? j.taskId ?? id, status: phase(j.status) };
  if (typeof j.progress === 'number' && Number.isFinite(j.progress)) out.progress = j.progress;
  const url = j.outputUrl ?? j.output?.url;
  if (url) out.url = url;
  if (typeof j.output?.duration === 'number') out.durationSec = j.output.duration;
  if (typeof j.output?.size === 'number') out.size = j.output.size;
  if (j.error !== undefined && j.error !== null && j.error !== '') {
    out.error = typeof j.error === 'string' ? j.error : JSON.stringify(j.error);
  }
  return out;
}

export async function renderStatus(ctx: AccountCtx, id: string, signal?: AbortSignal): Promise<RenderStatus> {
  const j = await call(
    ctx,
    { method: 'GET', path: `${LAMBDA}/${encodeURIComponent(id)}`, schema: renderJob, envelope: 'any' },
    signal,
  );
  return toRenderStatus(id, j);
}

export async function waitForRender(
  ctx: AccountCtx,
  id: string,
  onProgress: (s: RenderStatus) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<RenderStatus> {
  for (let i = 0; i < ctx.timing.renderPollMax; i++) {
    // A render takes 30–90 s: the first look is worth one interval of waiting.
    await sleep(ctx.timing.renderPollIntervalMs, signal);
    const s = await renderStatus(ctx, id, signal);
    await onProgress(s);
    if (s.status === 'completed') return s;
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
    `render not completed after ${ctx.timing.renderPollMax} polls`,
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
  dest: string,
  maxBytes: number | undefined,
  signal?: AbortSignal,
): Promise<{ path: string; size: number }> {
  const t = ctx.timing;
  const deadline = new Deadline(signal, t.transferTimeoutMs);
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
  let wrote = false;
  try {
    const res = await send(ctx.deps, {
      method: 'GET',
      path,
      headers: token ? authHeaders(ctx, token) : attribution(ctx.deps.version, ctx.platform),
      deadline,
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
    deadline.clear();
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

export async function downloadRender(
  ctx: AccountCtx,
  args: { id: string; url?: string; dest: string; maxBytes?: number },
  signal?: AbortSignal,
): Promise<{ path: string; size: number }> {
  if (args.url) {
    const sameOrigin =
      new URL(resolveUrl(ctx.deps.baseUrl, args.url)).origin === new URL(ctx.deps.baseUrl).origin;
    try {
      const token = sameOrigin ? await ctx.auth.token(signal) : undefined;
      return await fetchTo(ctx, args.url, token, args.dest, args.maxBytes, signal);
    } catch (e) {
      if (isNemoError(e, 'file_too_large') || isNemoError(e, 'aborted')) throw e;
      ctx.deps.logger.warn(
        { code: isNemoError(e) ? e.code : 'error' },
        'render url failed: using the download fallback',
      );
    }
  }
  const path = `/api/render/proxy/${encodeURIComponent(args.id)}/download`;
  return withRetries(ctx, { idempotent: true }, signal, (token) =>
    fetchTo(ctx, path, token, args.dest, args.maxBytes, signal),
  );
}
