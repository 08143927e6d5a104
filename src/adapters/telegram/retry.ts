import { createRequire } from 'node:module';
import { HttpError, InputFile, type Transformer } from 'grammy';
import type { Logger } from '../../secrets.ts';

// What may be sent to Telegram again: only what Telegram surely did not process.
//
// THE RULE. A call is re-sent (with backoff, a few times) only when
//  1. Telegram's front answered 502 or 503 with a body that is not JSON (nginx's HTML page): the Bot API, which
//     always answers JSON, never saw the request (its backend is away or restarting); or
//  2. the connection failed before the request was written (refused, no such host, unreachable network).
// Everything else is an answer or may have been processed, and is never re-sent here: a JSON error is the Bot
// API's answer (429 and its own 5xx are auto-retry's business); a 504 means the front waited for a Bot API
// that had the request; a reset or timeout after the request left may have posted the message already.
// An upload is re-sent only when its file is re-read from disk (a stream cannot be replayed).

/** Statuses of Telegram's front that say the Bot API never had the request (with a non-JSON body). */
const FRONT_STATUSES = new Set([502, 503]);
/** Connection errors before any byte of the request was written. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Telegram's front refused the call before the Bot API saw it (thrown by `frontCheckedFetch`). */
export class FrontRefusal extends Error {
  override name = 'FrontRefusal';
  // `status` and `statusText`: grammY then names them in its HttpError message ("(502: Bad Gateway)").
  constructor(
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`Telegram's front answered ${status} ${statusText} (not JSON)`);
  }
}

interface FetchResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
type Fetch = (url: string, init?: unknown) => Promise<FetchResponse>;

// grammY's own fetch (node-fetch, resolved from grammY's location, so it is exactly the one grammY would use):
// wrapped only to read the status, which grammY drops when a body is not JSON.
const grammyFetch = createRequire(createRequire(import.meta.url).resolve('grammy'))('node-fetch') as Fetch;

/** grammY's fetch, except that a 502/503 page from the front becomes a FrontRefusal (an HttpError in grammY). */
export async function frontCheckedFetch(url: string, init?: unknown): Promise<FetchResponse> {
  const res = await grammyFetch(url, init);
  const type = res.headers.get('content-type') ?? '';
  if (FRONT_STATUSES.has(res.status) && !/json/i.test(type)) {
    await res.text().catch(() => '');
    throw new FrontRefusal(res.status, res.statusText);
  }
  return res;
}

/** Why the failed call was surely not processed, or undefined when it may have been. */
export function notProcessed(e: unknown): string | undefined {
  if (!(e instanceof HttpError)) return undefined;
  const cause = e.error;
  if (cause instanceof FrontRefusal) return `front ${cause.status}`;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NOT_CONNECTED.has(code) ? code : undefined;
}

const fromDisk = new WeakSet<InputFile>();

/** A file read from `path`: grammY opens it again for every attempt, so its upload may be re-sent. */
export function diskFile(path: string, name: string): InputFile {
  const file = new InputFile(path, name);
  fromDisk.add(file);
  return file;
}

function replayable(payload: unknown): boolean {
  const values = payload && typeof payload === 'object' ? Object.values(payload) : [];
  return values.every((v) => !(v instanceof InputFile) || fromDisk.has(v));
}

const sleep = (ms: number, signal?: { addEventListener(type: 'abort', fn: () => void): void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export interface RetryOptions {
  /** Wait before the first re-send; doubles after each (TELEGRAM_RETRY_MS). */
  firstDelayMs: number;
  /** Re-sends at most this many times. */
  attempts: number;
  logger: Logger;
  /** Called before each re-send (tests wait for it). */
  onRetry?: (info: { method: string; why: string; attempt: number }) => void | Promise<void>;
}

/** An API transformer applying the rule above. Install it after auto-retry (it is then the outer one). */
export function retryUnprocessed(opts: RetryOptions): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (e) {
        const why = notProcessed(e);
        if (!why || attempt > opts.attempts || signal?.aborted || !replayable(payload)) throw e;
        const waitMs = opts.firstDelayMs * 2 ** (attempt - 1);
        opts.logger.warn(
          { method, why, attempt, waitMs },
          'telegram did not process the call; sending it again',
        );
        await opts.onRetry?.({ method, why, attempt });
        await sleep(waitMs, signal);
      }
    }
  };
}
