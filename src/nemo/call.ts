import type { z } from 'zod';
import type { Auth } from './auth.ts';
import { badResponse, refusal } from './classify.ts';
import { NemoError } from './errors.ts';
import {
  attribution,
  Deadline,
  type HttpDeps,
  readJson,
  type SendResult,
  send,
  sleep,
  transportError,
} from './http.ts';
import { businessEnvelope, renderEnvelope } from './schemas.ts';
import type { NemoPlatform } from './types.ts';

// One JSON call with the retry policy of design.md (decisions 2 and 10): 1001 → re-auth and retry once;
// 429 → wait RATE_LIMIT_RETRY_MS and retry once; idempotent GETs also retry network/5xx failures with a
// short backoff. A refused call (1001, 429) was not processed, so retrying it is safe for POSTs too.

export interface NemoTiming {
  httpTimeoutMs: number;
  transferTimeoutMs: number;
  sseTimeoutMs: number;
  sseStuckMs: number;
  rateLimitRetryMs: number;
  renderPollIntervalMs: number;
  renderPollMax: number;
  maxUploadBytes: number;
}

export interface AccountCtx {
  deps: HttpDeps;
  timing: NemoTiming;
  platform: NemoPlatform;
  auth: Auth;
}

/** Attempts of an idempotent GET after a network/5xx failure. */
export const GET_ATTEMPTS = 3;

/** Backoff between GET attempts: derived from the 429 delay so tests (tiny delays) stay fast. */
export function backoffMs(timing: NemoTiming, attempt: number): number {
  return Math.min(2_000, Math.max(1, Math.round(timing.rateLimitRetryMs / 30))) * attempt;
}

export function authHeaders(ctx: AccountCtx, token: string): Record<string, string> {
  return { ...attribution(ctx.deps.version, ctx.platform), authorization: `Bearer ${token}` };
}

export type Envelope = 'business' | 'render' | 'any';

/** The payload inside whichever envelope came (shape B of the render poll has none). */
export function unwrap(json: unknown, envelope: Envelope): unknown {
  if (envelope !== 'render') {
    const b = businessEnvelope.safeParse(json);
    if (b.success && b.data.code !== undefined) return b.data.data;
    if (envelope === 'business') return b.success ? (b.data.data ?? json) : undefined;
  }
  const r = renderEnvelope.safeParse(json);
  if (r.success) return r.data.data;
  return json;
}

export interface CallSpec<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  json?: unknown;
  schema: S;
  envelope: Envelope;
  /** Retry network/5xx failures (GETs only). */
  idempotent?: boolean;
}

export function isRetryableFailure(e: NemoError): boolean {
  if (e.kind === 'network' || e.kind === 'timeout') return true;
  return e.kind === 'refused' && e.bodyCode === undefined && (e.status ?? 0) >= 500;
}

/** Runs `once` under the retry policy; `once` gets the token to use. */
export async function withRetries<T>(
  ctx: AccountCtx,
  opts: { idempotent: boolean; retryRefusals?: boolean },
  signal: AbortSignal | undefined,
  once: (token: string) => Promise<T>,
): Promise<T> {
  let reauthed = false;
  let rateRetried = false;
  let attempt = 1;
  for (;;) {
    const token = await ctx.auth.token(signal);
    try {
      return await once(token);
    } catch (e) {
      if (!(e instanceof NemoError)) throw e;
      const refusalsOk = opts.retryRefusals !== false;
      if (refusalsOk && e.code === 'token_invalid' && !reauthed && ctx.auth.canRefresh) {
        reauthed = true;
        ctx.deps.logger.info({ path: e.path }, 'nemo token refused: re-acquiring');
        await ctx.auth.refresh(token, signal);
        continue;
      }
      if (refusalsOk && e.code === 'rate_limited' && !rateRetried) {
        rateRetried = true;
        ctx.deps.logger.warn({ path: e.path, waitMs: ctx.timing.rateLimitRetryMs }, 'nemo rate limited');
        await sleep(ctx.timing.rateLimitRetryMs, signal);
        continue;
      }
      if (opts.idempotent && attempt < GET_ATTEMPTS && isRetryableFailure(e)) {
        ctx.deps.logger.debug({ path: e.path, code: e.code, attempt }, 'nemo GET retry');
        await sleep(backoffMs(ctx.timing, attempt), signal);
        attempt += 1;
        continue;
      }
      throw e;
    }
  }
}

/** Reads a JSON answer; a refusal comes back as a NemoError, logged with its (redacted) body. */
export async function readAnswer(
  ctx: AccountCtx,
  res: SendResult,
  at: { method: string; path: string; delivered?: boolean },
): Promise<{ json: unknown; err: NemoError | undefined }> {
  const { json, text } = await readJson(res);
  const userId = ctx.auth.userId;
  const err = refusal({
    status: res.statusCode,
    json,
    text,
    ...at,
    secrets: ctx.deps.secrets,
    ...(userId ? { userId } : {}),
  });
  if (err) {
    ctx.deps.logger.warn(
      {
        code: err.code,
        status: err.status,
        bodyCode: err.bodyCode,
        path: err.path,
        body: ctx.deps.secrets.redact(text.slice(0, 500)),
      },
      'nemo refused',
    );
  }
  return { json, err };
}

/** Checks an answer: refusal → NemoError, else the payload parsed by `schema`. */
export async function parseAnswer<S extends z.ZodType>(
  ctx: AccountCtx,
  res: SendResult,
  spec: { method: string; path: string; schema: S; envelope: Envelope },
): Promise<z.output<S>> {
  const { json, err } = await readAnswer(ctx, res, { method: spec.method, path: spec.path });
  if (err) throw err;
  const parsed = spec.schema.safeParse(unwrap(json, spec.envelope));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badResponse(
      spec.method,
      spec.path,
      issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid',
    );
  }
  return parsed.data;
}

/** A JSON call with the full retry policy. */
export function call<S extends z.ZodType>(
  ctx: AccountCtx,
  spec: CallSpec<S>,
  signal?: AbortSignal,
): Promise<z.output<S>> {
  const idempotent = spec.idempotent ?? spec.method === 'GET';
  return withRetries(ctx, { idempotent }, signal, async (token) => {
    const t = ctx.timing.httpTimeoutMs;
    const deadline = new Deadline(signal, t);
    try {
      const headers = authHeaders(ctx, token);
      if (spec.json !== undefined) headers['content-type'] = 'application/json';
      const res = await send(ctx.deps, {
        method: spec.method,
        path: spec.path,
        headers,
        ...(spec.json !== undefined ? { body: JSON.stringify(spec.json) } : {}),
        deadline,
        headersTimeoutMs: t,
        bodyTimeoutMs: t,
      });
      return await parseAnswer(ctx, res, spec);
    } catch (e) {
      throw transportError(e, { method: spec.method, path: spec.path, deadline, secrets: ctx.deps.secrets });
    } finally {
      deadline.clear();
    }
  });
}
