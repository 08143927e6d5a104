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

// One JSON call with the retry policy of docs/decisions.md (decisions 2, 10 and 12): 1001 → re-auth and retry once;
// 429 → wait RATE_LIMIT_RETRY_MS and retry once (a refused call was not processed, so POSTs may retry these
// too); idempotent calls also ride out transient failures (network, timeout, 5xx, a `{code: 5xx}` body) with
// exponential backoff, as long as the operation stays inside its budget.

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
  /** Longest SSE event buffered (default in events.ts). */
  maxEventChars?: number;
}

/** Backoff after the n-th transient failure (1, 2, 4 … × a base derived from the 429 delay, so tests stay fast). */
export function backoffMs(timing: NemoTiming, failures: number): number {
  const base = Math.min(1_000, Math.max(1, Math.round(timing.rateLimitRetryMs / 30)));
  return base * 2 ** Math.min(10, Math.max(0, failures - 1));
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
  /** Ride out transient failures (default: GETs only). */
  idempotent?: boolean;
}

/**
 * A failure worth trying again on an idempotent call: no answer (network, timeout) or a server error, whether
 * as an HTTP 5xx or as a 5xx `code` in a 200 body. Business codes (1001, 2001 …) and 4xx are answers.
 */
export function isTransient(e: NemoError): boolean {
  if (e.kind === 'network' || e.kind === 'timeout') return true;
  if (e.kind !== 'refused' || e.code !== 'backend') return false;
  const serverError = (n: number | undefined) => n !== undefined && n >= 500 && n < 600;
  return serverError(e.status) || serverError(e.bodyCode);
}

export interface RetryOptions {
  idempotent: boolean;
  /** False: a 1001 or 429 is not retried here (a body that cannot be replayed). */
  retryRefusals?: boolean;
  /** How long transient failures may be retried, from the first attempt (default HTTP timeout). */
  budgetMs?: number;
}

/** Runs `once` under the retry policy; `once` gets the token to use. */
export async function withRetries<T>(
  ctx: AccountCtx,
  opts: RetryOptions,
  signal: AbortSignal | undefined,
  once: (token: string) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const budget = opts.budgetMs ?? ctx.timing.httpTimeoutMs;
  let reauthed = false;
  let rateRetried = false;
  let failures = 0;
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
      if (opts.idempotent && isTransient(e)) {
        const wait = backoffMs(ctx.timing, failures + 1);
        if (Date.now() - started + wait < budget) {
          failures += 1;
          ctx.deps.logger.debug({ path: e.path, code: e.code, failures, waitMs: wait }, 'nemo retry');
          await sleep(wait, signal);
          continue;
        }
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
