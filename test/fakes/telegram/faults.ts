import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedCall } from './types.ts';

// Platform faults of the fake Bot API, in the real server's wire format (one mechanism for every test):
// - `front`: a 502/503 HTML page from Telegram's nginx front instead of the Bot API's answer (the body is read
//   first, as nginx buffers a request before it finds the Bot API away; the Bot API never sees the call);
// - `conflict`: getUpdates refused with 409 Conflict for a while, as while another instance polls;
// - `hold`: a call neither processed nor answered, whole or cut after some bytes of its body (to kill a bot
//   inside an upload).
// server.ts asks `intercept` before it reads a request's body and `interceptRead` after, and tells `answered`.

/** nginx's page, byte for byte what Telegram's front answers while its backend is away. */
export const frontPage = (status: 502 | 503): string => {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`;
};

export const CONFLICT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

interface Hold {
  method: string;
  /** Stop reading the body after this many bytes; undefined: read it whole, then hold. */
  afterBytes: number | undefined;
  held: () => void;
}

export class TelegramFaults {
  #front = new Map<string, { times: number; status: 502 | 503 }>();
  #conflictUntil = 0;
  #holds: Hold[] = [];
  #open = new Set<IncomingMessage>();
  #answered: Array<(call: RecordedCall) => void> = [];
  /** Calls the front refused (not in `calls`: the Bot API never saw them). */
  readonly refusedByFront: RecordedCall[] = [];
  /** Calls held unanswered (never processed). A call cut mid-body has no params. */
  readonly held: RecordedCall[] = [];
  /** getUpdates calls answered 409. */
  conflictsServed = 0;

  /** @param wake ends the long polls the server holds now (a 409 window starts with them). */
  constructor(private readonly wake: () => void = () => {}) {}

  /** The next `times` calls of `method` get the front's HTML page with `status` instead of an answer. */
  front(method: string, times = 1, status: 502 | 503 = 502): void {
    const now = this.#front.get(method);
    this.#front.set(method, { times: (now?.times ?? 0) + times, status });
  }

  /** getUpdates answers 409 Conflict for `ms` (Infinity: until `conflict(0)`), the poll held now included. */
  conflict(ms: number): void {
    this.#conflictUntil = Date.now() + ms;
    if (ms > 0) this.wake();
  }

  /** server.ts, before getUpdates is answered: true when it must be refused with 409 (counted). */
  takeConflict(): boolean {
    if (Date.now() >= this.#conflictUntil) return false;
    this.conflictsServed += 1;
    return true;
  }

  /**
   * The next call of `method` is neither processed nor answered: read whole, or (with `afterBytes`) read up
   * to that many bytes of its body and no further, so the client sits inside its upload until it dies.
   * Resolves once the call is held.
   */
  hold(method: string, opts: { afterBytes?: number } = {}): Promise<void> {
    return new Promise((held) => this.#holds.push({ method, afterBytes: opts.afterBytes, held }));
  }

  /** Calls `listener` after each answer the fake sent (the bytes are on their way to the bot). */
  onAnswered(listener: (call: RecordedCall) => void): () => void {
    this.#answered.push(listener);
    return () => {
      this.#answered = this.#answered.filter((l) => l !== listener);
    };
  }

  /** server.ts: after an answer was written. */
  answered(call: RecordedCall): void {
    for (const l of [...this.#answered]) l(call);
  }

  #takeHold(method: string, cut: boolean): Hold | undefined {
    const i = this.#holds.findIndex((h) => h.method === method && (h.afterBytes !== undefined) === cut);
    return i < 0 ? undefined : this.#holds.splice(i, 1)[0];
  }

  #keep(req: IncomingMessage): void {
    this.#open.add(req);
    req.on('close', () => this.#open.delete(req));
  }

  /** server.ts, before the body is read: true when a hold cut mid-body took the request. */
  intercept(req: IncomingMessage, method: string): boolean {
    const hold = this.#takeHold(method, true);
    if (!hold) return false;
    const afterBytes = hold.afterBytes ?? 0;
    this.#keep(req);
    this.held.push({ method, params: {}, files: {}, status: 0, at: Date.now() });
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen < afterBytes) return;
      req.off('data', onData);
      req.pause();
      hold.held();
    };
    req.on('data', onData);
    // A body shorter than `afterBytes` is held whole, still unanswered.
    req.on('end', () => {
      if (seen < afterBytes) hold.held();
    });
    return true;
  }

  /** server.ts, once the body is read: true when a front page answered the call or a hold took it. */
  interceptRead(req: IncomingMessage, call: RecordedCall, res: ServerResponse): boolean {
    const front = this.#front.get(call.method);
    if (front && front.times > 0) {
      front.times -= 1;
      call.status = front.status;
      this.refusedByFront.push(call);
      const page = frontPage(front.status);
      res.writeHead(front.status, {
        server: 'nginx/1.18.0',
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(page),
      });
      res.end(page);
      return true;
    }
    const hold = this.#takeHold(call.method, false);
    if (!hold) return false;
    this.#keep(req);
    this.held.push(call);
    hold.held();
    return true;
  }

  /** Drops every held request (the fake is closing). */
  close(): void {
    for (const req of this.#open) req.socket.destroy();
    this.#open.clear();
  }
}
