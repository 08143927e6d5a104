import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedCall } from './types.ts';

// Platform faults of the fake Bot API, in the real server's wire format: 502 pages from Telegram's nginx front,
// 409 Conflict while another instance polls, and a request held mid-body (to kill a bot inside an upload).
// server.ts consults this before it reads a request and tells it about every answer it sends.

/** nginx's page, byte for byte what Telegram's front answers while its backend is away. */
export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

export const CONFLICT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

interface Stall {
  method: string;
  afterBytes: number;
  stalled: () => void;
}

export class TelegramFaults {
  #badGateway = new Map<string, number>();
  #conflictUntil = 0;
  #stalls: Stall[] = [];
  #held = new Set<IncomingMessage>();
  #answered: Array<(call: RecordedCall) => void> = [];
  /** 502 pages served so far (these calls never reach `calls`: the Bot API did not see them). */
  badGatewaysServed = 0;

  /** The next `times` calls of `method` answer 502 with nginx's HTML page (nothing reaches the Bot API). */
  badGateway(method: string, times = 1): void {
    this.#badGateway.set(method, (this.#badGateway.get(method) ?? 0) + times);
  }

  /** getUpdates answers 409 Conflict for `ms` (server.ts also ends the request it holds now). */
  conflictFor(ms: number): void {
    this.#conflictUntil = Date.now() + ms;
  }

  get conflicting(): boolean {
    return Date.now() < this.#conflictUntil;
  }

  /**
   * The next call of `method` is read up to `afterBytes` bytes of its body, then neither read further nor
   * answered: the client sits inside its upload until it dies. Resolves once the request is held there.
   */
  stall(method: string, afterBytes: number): Promise<void> {
    return new Promise((stalled) => this.#stalls.push({ method, afterBytes, stalled }));
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

  /** server.ts: before the body is read. True when a fault answered (or holds) the request. */
  intercept(req: IncomingMessage, res: ServerResponse, method: string): boolean {
    const bad = this.#badGateway.get(method) ?? 0;
    if (bad > 0) {
      this.#badGateway.set(method, bad - 1);
      this.badGatewaysServed++;
      res.writeHead(502, {
        server: 'nginx/1.18.0',
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(BAD_GATEWAY_HTML),
      });
      res.end(BAD_GATEWAY_HTML);
      return true;
    }
    const i = this.#stalls.findIndex((s) => s.method === method);
    const stall = this.#stalls[i];
    if (!stall) return false;
    this.#stalls.splice(i, 1);
    this.#held.add(req);
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen < stall.afterBytes) return;
      req.off('data', onData);
      req.pause();
      stall.stalled();
    };
    req.on('data', onData);
    // A body shorter than `afterBytes` is held whole, still unanswered.
    req.on('end', () => {
      if (seen < stall.afterBytes) stall.stalled();
    });
    req.on('close', () => this.#held.delete(req));
    return true;
  }

  /** Drops every held request (the fake is closing). */
  close(): void {
    for (const req of this.#held) req.socket.destroy();
    this.#held.clear();
  }
}
