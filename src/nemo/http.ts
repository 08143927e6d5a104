import { setTimeout as delay } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import type { Logger, Secrets } from '../secrets.ts';
import { NemoError } from './errors.ts';
import type { NemoPlatform } from './types.ts';

// The transport under every call: undici with explicit per-call budgets, attribution headers, and the
// mapping of failures to NemoError's four families (refused / network / timeout / schema) plus aborted.

export const SKILL_SOURCE = 'ai-video-generation-online';

export interface HttpDeps {
  baseUrl: string;
  version: string;
  secrets: Secrets;
  logger: Logger;
  dispatcher?: Dispatcher;
}

/** Marks the abort reason of our own budget timer, to tell a timeout from the caller's abort. */
class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

/** Links the caller's signal with an overall budget (0 = none) into one signal for undici. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #endsAt: number;
  #timer: NodeJS.Timeout | undefined;
  timedOut = false;
  readonly #onAbort = () => this.#controller.abort(this.#caller?.reason);

  constructor(caller: AbortSignal | undefined, budgetMs: number) {
    this.#caller = caller;
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.#onAbort, { once: true });
    this.#endsAt = budgetMs > 0 ? Date.now() + budgetMs : Number.POSITIVE_INFINITY;
    if (budgetMs > 0) {
      this.#timer = setTimeout(() => {
        this.timedOut = true;
        this.#controller.abort(new BudgetExceeded('budget exceeded'));
      }, budgetMs);
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** What is left of the budget (Infinity without one). */
  get remainingMs(): number {
    return Math.max(0, this.#endsAt - Date.now());
  }

  get callerAborted(): boolean {
    return this.#caller?.aborted === true;
  }

  /** Aborts the request (consumer went away); no error family is implied. */
  abort(): void {
    this.#controller.abort(new Error('closed by the client'));
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onAbort);
  }
}

export interface SendOptions {
  method: 'GET' | 'POST';
  /** A path under the base URL, or an absolute URL (downloads from a CDN). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer | AsyncIterable<Uint8Array>;
  deadline: Deadline;
  headersTimeoutMs: number;
  /** 0 disables undici's idle timer (SSE: we keep our own budgets). */
  bodyTimeoutMs: number;
}

export type SendResult = Dispatcher.ResponseData;

export function attribution(version: string, platform: NemoPlatform): Record<string, string> {
  return { 'x-skill-source': SKILL_SOURCE, 'x-skill-version': version, 'x-skill-platform': platform };
}

/** Path without host or query: what errors and logs may show. */
export function logPath(path: string): string {
  try {
    const u = new URL(path, 'http://x');
    return path.startsWith('http') ? `${u.host}${u.pathname}` : u.pathname;
  } catch {
    return '?';
  }
}

export function resolveUrl(baseUrl: string, path: string): string {
  return /^https?:\/\//.test(path) ? path : `${baseUrl.replace(/\/+$/, '')}${path}`;
}

export async function send(deps: HttpDeps, o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  try {
    const res = await request(resolveUrl(deps.baseUrl, o.path), {
      method: o.method,
      headers: o.headers ?? {},
      // undici accepts async iterables at runtime (core/request.js `isIterable`); its types lag behind.
      body: (o.body ?? null) as string | Buffer | null,
      signal: o.deadline.signal,
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
    deps.logger.debug(
      { method: o.method, path: logPath(o.path), status: res.statusCode, ms: Date.now() - started },
      'nemo request',
    );
    return res;
  } catch (e) {
    deps.logger.debug({ method: o.method, path: logPath(o.path), err: errCode(e) }, 'nemo request failed');
    throw e;
  }
}

function errCode(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.name : 'error';
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A transport failure (no usable answer) as a NemoError. `delivered` only matters for chat sends. */
export function transportError(
  e: unknown,
  ctx: { method: string; path: string; deadline: Deadline; secrets: Secrets; delivered?: boolean },
): NemoError {
  if (e instanceof NemoError) return e;
  const where = `${ctx.method} ${logPath(ctx.path)}`;
  const base = { method: ctx.method, path: logPath(ctx.path) };
  const delivered = ctx.delivered !== undefined ? { delivered: ctx.delivered } : {};
  const code = errCode(e);
  if (ctx.deadline.callerAborted) {
    return new NemoError({ ...base, ...delivered, code: 'aborted', kind: 'aborted' }, `${where}: aborted`, {
      cause: e,
    });
  }
  if (ctx.deadline.timedOut || TIMEOUT_CODES.has(code)) {
    return new NemoError({ ...base, ...delivered, code: 'timeout', kind: 'timeout' }, `${where}: timed out`, {
      cause: e,
    });
  }
  const detail = ctx.secrets.redact(e instanceof Error ? e.message : String(e));
  if (ctx.delivered) {
    return new NemoError(
      { ...base, delivered: true, code: 'stream_broken', kind: 'network' },
      `${where}: connection broke after the message was sent (${code}: ${detail})`,
      { cause: e },
    );
  }
  return new NemoError(
    { ...base, ...delivered, code: 'unreachable', kind: 'network' },
    `${where}: could not reach NemoVideo (${code}: ${detail})`,
    { cause: e },
  );
}

const MAX_JSON = 8 * 1024 * 1024;

/** Reads a (small) JSON answer; `undefined` when it is not JSON. */
export async function readJson(res: SendResult): Promise<{ json: unknown; text: string }> {
  let text = '';
  let size = 0;
  const decoder = new TextDecoder();
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_JSON) {
      res.body.destroy();
      break;
    }
    text += decoder.decode(chunk, { stream: true });
  }
  text += decoder.decode();
  try {
    return { json: JSON.parse(text), text };
  } catch {
    return { json: undefined, text };
  }
}

/** Node's timer promise (the bot's one sleep), with an abort reported as the client's own `aborted` error. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (e) {
    throw new NemoError({ code: 'aborted', kind: 'aborted' }, 'aborted', { cause: e });
  }
}
