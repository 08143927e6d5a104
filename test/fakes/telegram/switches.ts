import type { ServerResponse } from 'node:http';
import type { RecordedCall } from './types.ts';

// Switches of the fake Bot API for the delivery fixes (issue 9): a page from Telegram's nginx front instead of
// the Bot API's answer, getUpdates refused with 409 Conflict a number of times, a call held unanswered.
// server.ts asks `intercept` after it read a call's body, and `conflict` before it answers a getUpdates.

/** nginx's 502 page, as Telegram's front serves it while the Bot API behind it is away. */
export const FRONT_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

export const CONFLICT_TEXT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

export class DeliverySwitches {
  #front = new Map<string, { times: number; status: number }>();
  #conflicts = 0;
  #holds = new Map<string, Array<() => void>>();
  /** Calls the front refused: the Bot API never saw them (they are not in `calls`). */
  readonly refusedByFront: RecordedCall[] = [];
  /** Calls held unanswered (never processed: no message was stored). */
  readonly held: RecordedCall[] = [];
  /** getUpdates calls answered 409. */
  conflictsServed = 0;

  /** The next `times` calls of `method` get the front's HTML page with `status` (502 or 503) instead. */
  frontError(method: string, times = 1, status = 502): void {
    this.#front.set(method, { times, status });
  }

  /** The next `times` getUpdates calls answer 409 Conflict, as while another instance polls (0 ends it). */
  conflict(times: number): void {
    this.#conflicts = times;
  }

  /** The next call of `method` is read and then neither processed nor answered; resolves once it is held. */
  hold(method: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.#holds.get(method) ?? [];
      list.push(resolve);
      this.#holds.set(method, list);
    });
  }

  /** server.ts, before getUpdates is answered: true when it must be refused with 409. */
  takeConflict(): boolean {
    if (this.#conflicts <= 0) return false;
    this.#conflicts -= 1;
    this.conflictsServed += 1;
    return true;
  }

  /** server.ts, once the body is read: true when a switch answered (or holds) the call. */
  intercept(call: RecordedCall, res: ServerResponse): boolean {
    const front = this.#front.get(call.method);
    if (front && front.times > 0) {
      front.times -= 1;
      call.status = front.status;
      this.refusedByFront.push(call);
      const page = FRONT_PAGE(front.status);
      res.writeHead(front.status, {
        server: 'nginx',
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(page),
      });
      res.end(page);
      return true;
    }
    const hold = this.#holds.get(call.method)?.shift();
    if (hold) {
      this.held.push(call);
      hold();
      return true;
    }
    return false;
  }
}
