import { LocalBus } from './bus.ts';
import { StoreError } from './errors.ts';
import {
  type Lease,
  type LeaseHolder,
  type Reservation,
  type StatePort,
  toJson,
  ttl,
  whole,
} from './state.ts';

/** Expired values are swept at most this often, on a write, so remembered ids do not pile up. */
const SWEEP_EVERY_MS = 60_000;

type Value = { json: string; expires: number | undefined };
type Held = { owner: string; token: number; expires: number };

/**
 * The state port in plain maps: lost on exit, one process only. Every operation runs without an await
 * inside, so it is atomic with respect to every other call in the process. Values are kept as JSON so a
 * caller mutating what it stored or read changes nothing here (as with the real backends).
 */
export class MemoryState implements StatePort {
  readonly #values = new Map<string, Value>();
  readonly #sets = new Map<string, Set<string>>();
  readonly #leases = new Map<string, Held>();
  readonly #counters = new Map<string, { n: number; expires: number }>();
  #countersSwept = 0;
  readonly #lists = new Map<string, string[]>();
  readonly #bus = new LocalBus();
  readonly #now: () => number;
  #fence = 0;
  #lastSweep: number;
  #closed = false;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#lastSweep = now();
  }

  async get(key: string): Promise<unknown> {
    const v = this.#live(key);
    return v === undefined ? undefined : JSON.parse(v.json);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.#check();
    this.#values.set(key, { json: toJson(value), expires: this.#expiry(ttlMs) });
    this.#maybeSweep();
  }

  async delete(key: string): Promise<boolean> {
    const live = this.#live(key) !== undefined;
    this.#values.delete(key);
    return live;
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const expires = this.#now() + ttl(ttlMs);
    if (this.#live(key) !== undefined) return false;
    this.#values.set(key, { json: toJson(value), expires });
    this.#maybeSweep();
    return true;
  }

  // Counters: no await inside, so a reservation is atomic within the process (the only one memory serves).
  async reserve(key: string, amount: number, limit: number | null, ttlMs: number): Promise<Reservation> {
    whole(amount, 'amount');
    if (limit !== null) whole(limit, 'limit');
    const now = this.#now();
    const expires = now + ttl(ttlMs);
    const used = this.#count(key);
    if (amount > 0 && limit !== null && used + amount > limit) return { ok: false, used };
    const next = Math.max(0, used + amount);
    this.#counters.set(key, { n: next, expires });
    if (now - this.#countersSwept >= SWEEP_EVERY_MS) {
      this.#countersSwept = now;
      for (const [k, c] of this.#counters) if (c.expires <= now) this.#counters.delete(k);
    }
    return { ok: true, used: next };
  }

  async counter(key: string): Promise<number> {
    return this.#count(key);
  }

  #count(key: string): number {
    this.#check();
    const c = this.#counters.get(key);
    if (!c) return 0;
    if (c.expires > this.#now()) return c.n;
    this.#counters.delete(key);
    return 0;
  }

  async addMember(key: string, member: string): Promise<void> {
    this.#check();
    let set = this.#sets.get(key);
    if (!set) {
      set = new Set();
      this.#sets.set(key, set);
    }
    set.add(member);
  }

  async removeMember(key: string, member: string): Promise<void> {
    this.#check();
    const set = this.#sets.get(key);
    if (!set) return;
    set.delete(member);
    if (set.size === 0) this.#sets.delete(key);
  }

  async members(key: string): Promise<string[]> {
    this.#check();
    return [...(this.#sets.get(key) ?? [])];
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const expires = this.#now() + ttl(ttlMs);
    if (this.#held(key)) return undefined;
    const token = ++this.#fence;
    this.#leases.set(key, { owner, token, expires });
    return { key, owner, token };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const expires = this.#now() + ttl(ttlMs);
    const held = this.#held(lease.key);
    if (!held || held.token !== lease.token || held.owner !== lease.owner) return false;
    held.expires = expires;
    return true;
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const held = this.#held(lease.key);
    if (!held || held.token !== lease.token || held.owner !== lease.owner) return false;
    this.#leases.delete(lease.key);
    return true;
  }

  async leaseHolder(key: string): Promise<LeaseHolder | undefined> {
    const held = this.#held(key);
    return held && { owner: held.owner, token: held.token };
  }

  async replaceLease(
    key: string,
    previous: LeaseHolder,
    owner: string,
    ttlMs: number,
  ): Promise<Lease | undefined> {
    const expires = this.#now() + ttl(ttlMs);
    const held = this.#held(key);
    if (held && (held.token !== previous.token || held.owner !== previous.owner)) return undefined;
    const token = ++this.#fence;
    this.#leases.set(key, { owner, token, expires });
    return { key, owner, token };
  }

  async setFenced(lease: Lease, key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const json = toJson(value);
    const expires = this.#expiry(ttlMs);
    const held = this.#held(lease.key);
    if (!held || held.token !== lease.token || held.owner !== lease.owner) return false;
    this.#values.set(key, { json, expires });
    return true;
  }

  async listPush(
    key: string,
    item: string,
    maxLength = Number.POSITIVE_INFINITY,
  ): Promise<number | undefined> {
    this.#check();
    const list = this.#lists.get(key) ?? [];
    if (list.length >= maxLength) return undefined;
    list.push(item);
    this.#lists.set(key, list);
    return list.length;
  }

  async listItems(key: string): Promise<string[]> {
    this.#check();
    return [...(this.#lists.get(key) ?? [])];
  }

  async listRemove(key: string, item: string): Promise<boolean> {
    this.#check();
    const list = this.#lists.get(key);
    if (!list?.includes(item)) return false;
    const left = list.filter((x) => x !== item);
    if (left.length === 0) this.#lists.delete(key);
    else this.#lists.set(key, left);
    return true;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#check();
    await this.#bus.publish(channel, message);
  }

  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    this.#check();
    return this.#bus.subscribe(channel, onMessage);
  }

  close(): void {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw new StoreError('store_closed', 'the memory store is closed');
  }

  #expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.#now() + ttl(ttlMs);
  }

  #live(key: string): Value | undefined {
    this.#check();
    const v = this.#values.get(key);
    if (v?.expires !== undefined && v.expires <= this.#now()) {
      this.#values.delete(key);
      return undefined;
    }
    return v;
  }

  #held(key: string): Held | undefined {
    this.#check();
    const held = this.#leases.get(key);
    if (held && held.expires <= this.#now()) {
      this.#leases.delete(key);
      return undefined;
    }
    return held;
  }

  #maybeSweep(): void {
    const now = this.#now();
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    for (const [k, v] of this.#values)
      if (v.expires !== undefined && v.expires <= now) this.#values.delete(k);
    for (const [k, l] of this.#leases) if (l.expires <= now) this.#leases.delete(k);
  }
}
