/*
 * The state port (design decision 13): the few operations the core needs to be correct across restarts and
 * processes, each implemented natively per backend (Redis commands and Lua, one SQLite statement or IMMEDIATE
 * transaction, plain maps) rather than through Keyv's internals, so a Keyv upgrade cannot break "post a video
 * at most once". Sessions stay in Keyv. Shaped after vercel/chat's StateAdapter (values with TTL, locks),
 * plus set-if-absent, sets of ids, fenced leases and fenced writes, bounded lists and wake-up messages (what
 * several instances on one Redis need to act as one bot: src/core/instance.ts, src/core/lanes-shared.ts).
 *
 * Every operation either does what it says or rejects (a store failure never reads as "absent" or "not held").
 * Keys are plain strings chosen by the caller; values, sets and leases live in separate key spaces.
 */

/** A lease held by `owner`. `token` is the fencing token: larger than the token of every earlier acquisition. */
export interface Lease {
  key: string;
  owner: string;
  token: number;
}

export type LeaseHolder = Omit<Lease, 'key'>;

/** What `reserve` did: `ok` when the amount was added; `used` is the counter afterwards. */
export interface Reservation {
  ok: boolean;
  used: number;
}

/** A counter amount or limit must be a safe integer. */
export function whole(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`a counter ${what} must be a whole number, got ${n}`);
  return n;
}

export interface StatePort {
  /** The JSON value stored under `key`, or undefined when it is absent or its ttl has passed. */
  get(key: string): Promise<unknown>;
  /** Stores a JSON value (replacing any); with `ttlMs` it disappears after that long, without it never. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** True when a live value was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Stores `value` only when `key` holds no live value, atomically across processes sharing the backend:
   * of any number of concurrent calls exactly one gets true.
   */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;

  // Counters (quotas, sequence numbers): integers in a key space of their own, each with a ttl.
  /**
   * Adds `amount` (a whole number) to the counter `key` only when the result stays within `limit` (null: no
   * limit), in one atomic step across processes: of concurrent reservations that together exceed the limit,
   * exactly those that fit succeed. A negative amount (giving back) always applies, and a counter never goes
   * below 0; an absent or expired one counts as 0. Each write sets the counter to disappear `ttlMs` from now.
   * `used` is the count after the call (unchanged when refused).
   */
  reserve(key: string, amount: number, limit: number | null, ttlMs: number): Promise<Reservation>;
  /** The counter's value: 0 when absent or expired. */
  counter(key: string): Promise<number>;

  /** Adds `member` to the set `key` (a no-op when present); atomic, so concurrent adds lose nothing. */
  addMember(key: string, member: string): Promise<void>;
  /** Removes `member` from the set `key` (a no-op when absent). */
  removeMember(key: string, member: string): Promise<void>;
  /** The members of the set `key`, in no particular order; [] for a set never written. */
  members(key: string): Promise<string[]>;

  /** Takes the lease `key` for `ttlMs` when no one holds it (or the holder's ttl has passed). */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends the lease to `ttlMs` from now, only while this very acquisition (same token) still holds it. */
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, only while this acquisition still holds it; true when it did. */
  releaseLease(lease: Lease): Promise<boolean>;
  /** Who holds `key` now (e.g. to resume only what a dead owner left); undefined when free or expired. */
  leaseHolder(key: string): Promise<LeaseHolder | undefined>;
  /**
   * Takes the lease `key` from `previous` (an owner known to be dead) or when it is free, atomically: of any
   * number of survivors trying, one gets it. Undefined when someone else holds it now (another token).
   */
  replaceLease(key: string, previous: LeaseHolder, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * A fenced write: stores the value only while `lease` (this very acquisition) is held, in one atomic step,
   * so a holder that stalled and lost its lease cannot overwrite what the new holder wrote. False when not held.
   */
  setFenced(lease: Lease, key: string, value: unknown, ttlMs?: number): Promise<boolean>;

  /**
   * Appends `item` to the list `key` unless it already holds `maxLength` items (atomic, so concurrent pushes
   * never overfill it). The list's new length, or undefined when it was full.
   */
  listPush(key: string, item: string, maxLength?: number): Promise<number | undefined>;
  /** The list's items, first pushed first; [] for a list never written. */
  listItems(key: string): Promise<string[]>;
  /** Removes every occurrence of `item`; true when there was one (of concurrent removers, one gets true). */
  listRemove(key: string, item: string): Promise<boolean>;

  /**
   * Sends `message` to the subscribers of `channel` now listening, at most once (a subscriber that is
   * reconnecting misses it): a wake-up, never the only carrier of a decision. Redis reaches every process;
   * memory and SQLite reach this process only (both are single-process stores).
   */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `onMessage` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

/** Serializes a value for storage; rejects what JSON cannot carry back (undefined, functions). */
export function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('the state store keeps JSON values only');
  return json;
}

/** A ttl must be a positive number of milliseconds; backends round it up to whole milliseconds. */
export function ttl(ms: number): number {
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new RangeError(`a ttl must be positive milliseconds, got ${ms}`);
  return Math.ceil(ms);
}
