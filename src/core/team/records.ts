// A bounded log in the state port (usage records, the audit log): entry n lives under `<name>:<n mod max>`,
// numbered by an atomic counter, so instances append without a lock and the oldest entries are overwritten.
// Read newest first, stopping at the first entry older than asked or overwritten.

import type { StatePort } from '../../store/state.ts';

/** Sequence counters outlive every entry (10 years). */
const SEQ_TTL_MS = 10 * 365 * 86_400_000;
const BATCH = 50;

export type Logged<T> = T & { seq: number; at: number };

export class RingLog<T extends object> {
  constructor(
    private readonly state: StatePort,
    private readonly name: string,
    readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async append(entry: T): Promise<Logged<T>> {
    const { used: seq } = await this.state.reserve(`${this.name}:seq`, 1, null, SEQ_TTL_MS);
    const logged = { ...entry, seq, at: this.now() } as Logged<T>;
    await this.state.set(`${this.name}:${seq % this.max}`, logged, this.ttlMs);
    return logged;
  }

  /** Entries newest first: at most `limit`, none older than `since`. */
  async latest(opts: { since?: number; limit?: number } = {}): Promise<Array<Logged<T>>> {
    const last = await this.state.counter(`${this.name}:seq`);
    const limit = Math.min(opts.limit ?? this.max, this.max);
    const out: Array<Logged<T>> = [];
    for (let top = last; top > 0 && top > last - this.max && out.length < limit; top -= BATCH) {
      const seqs: number[] = [];
      for (let s = top; s > Math.max(0, top - BATCH, last - this.max); s--) seqs.push(s);
      const got = await Promise.all(seqs.map((s) => this.state.get(`${this.name}:${s % this.max}`)));
      for (const [i, raw] of got.entries()) {
        const e = raw as Logged<T> | undefined;
        // Missing (expired) or already overwritten by a newer lap: nothing older is left either.
        if (!e || e.seq !== seqs[i] || (opts.since !== undefined && e.at < opts.since)) return out;
        out.push(e);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}
