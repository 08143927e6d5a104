// What a job cost. NemoVideo tells an account's balance, not what one request spent, so each job reads the
// balance (available + frozen: frozen credits are held, not yet spent) before and after. Alone on its account
// the difference is exact. Jobs overlap on a shared account (NEMO_TOKEN serves every chat), so the account
// keeps a book in the state port: the last balance seen, and the jobs active since. Every reading splits the
// drop since the previous reading equally among the jobs active in between (whole hundredths, the remainder
// to the oldest), then moves the mark; a job's cost is the sum of its shares, marked shared when any drop was
// split. Every drop seen while a job ran is thus given to exactly the jobs that ran: over all jobs the costs
// add up to the account's spend while the bot worked. A rise (a top-up, a refund) is not a negative cost.
//
// Readings of one account are serialised: a per-process queue, and a lease in the state port across
// instances (the balance is read while holding it, so readings enter the book in the order they were taken).
// A job whose readings fail, or that waits too long for the lease, has an unknown cost.

import type { StatePort } from '../../store/state.ts';

interface Share {
  cents: number;
  shared: boolean;
  since: number;
}

interface Book {
  last?: number;
  active: Record<string, Share>;
}

export interface Cost {
  credits: number;
  shared: boolean;
}

const BOOK_TTL_MS = 2 * 86_400_000;
/** An entry this old belongs to a job whose process died: dropped at the next reading. */
const STALE_MS = 6 * 3_600_000;
const LOCK_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Ledger {
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly state: StatePort,
    private readonly opts: { owner: string; lockTtlMs: number; now?: () => number },
  ) {}

  #now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Starts measuring `job` on `account`; false when the balance could not be read (the cost stays unknown). */
  async open(account: string, job: string, balance: () => Promise<number>): Promise<boolean> {
    const r = await this.#read(account, balance, (book) => {
      book.active[job] = { cents: 0, shared: false, since: this.#now() };
    });
    return r !== undefined;
  }

  /** Ends measuring `job`: its cost, or undefined when a reading failed. */
  async close(account: string, job: string, balance: () => Promise<number>): Promise<Cost | undefined> {
    let cost: Cost | undefined;
    await this.#read(account, balance, (book) => {
      const mine = book.active[job];
      delete book.active[job];
      if (mine) cost = { credits: mine.cents / 100, shared: mine.shared };
    });
    return cost;
  }

  /** One reading: serialised per account, in this process and (by a lease) across instances. */
  async #read(
    account: string,
    balance: () => Promise<number>,
    change: (book: Book) => void,
  ): Promise<Book | undefined> {
    const prev = this.#queues.get(account) ?? Promise.resolve();
    const run = prev.then(() => this.#locked(account, balance, change));
    const tail = run.catch(() => undefined);
    this.#queues.set(account, tail);
    void tail.finally(() => {
      if (this.#queues.get(account) === tail) this.#queues.delete(account);
    });
    return run.catch(() => undefined);
  }

  async #locked(
    account: string,
    balance: () => Promise<number>,
    change: (book: Book) => void,
  ): Promise<Book | undefined> {
    const key = `team:ledger:${account}`;
    const deadline = this.#now() + LOCK_WAIT_MS;
    let lease = await this.state.acquireLease(key, this.opts.owner, this.opts.lockTtlMs);
    for (let wait = 5; !lease; wait = Math.min(wait * 2, 100)) {
      if (this.#now() > deadline) return undefined;
      await sleep(wait);
      lease = await this.state.acquireLease(key, this.opts.owner, this.opts.lockTtlMs);
    }
    try {
      const total = await balance();
      const book = ((await this.state.get(key)) as Book | undefined) ?? { active: {} };
      const now = this.#now();
      for (const [id, s] of Object.entries(book.active)) if (now - s.since > STALE_MS) delete book.active[id];
      const ids = Object.keys(book.active).sort(
        (a, b) => (book.active[a]?.since ?? 0) - (book.active[b]?.since ?? 0),
      );
      const drop = book.last === undefined ? 0 : Math.round((book.last - total) * 100);
      if (drop > 0 && ids.length > 0) {
        const each = Math.floor(drop / ids.length);
        let rest = drop - each * ids.length;
        for (const id of ids) {
          const s = book.active[id];
          if (!s) continue;
          s.cents += each + (rest > 0 ? 1 : 0);
          rest -= rest > 0 ? 1 : 0;
          if (ids.length > 1) s.shared = true;
        }
      }
      book.last = total;
      change(book);
      await this.state.set(key, book, BOOK_TTL_MS);
      return book;
    } finally {
      await this.state.releaseLease(lease).catch(() => false);
    }
  }
}
