import { busFor, type LocalBus } from './bus.ts';
import { type Db, type SqliteHandle, transaction } from './sqlite-file.ts';
import {
  type Lease,
  type LeaseHolder,
  type Reservation,
  type StatePort,
  toJson,
  ttl,
  whole,
} from './state.ts';

/*
 * The state port on the SQLite file the Keyv sessions use (same connection), in tables of its own. Each
 * operation is one statement, or (acquiring a lease) one IMMEDIATE transaction, and node-sqlite3-wasm runs it
 * synchronously, so it is atomic against every other call: one process holds the file (sqlite-file.ts), and
 * inside it there is one connection and no await within an operation. "Across processes" (leases, fencing)
 * therefore means across restarts of the one process that owns the file; several live instances need Redis.
 * Only this file knows the SQL, so the engine underneath can be swapped without touching the port.
 */

/** Expired values and leases are swept at open and then at most this often, on a write. */
const SWEEP_EVERY_MS = 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_value(ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  expires INTEGER, PRIMARY KEY(ns, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_value_expires ON state_value(expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS state_set(ns TEXT NOT NULL, key TEXT NOT NULL, member TEXT NOT NULL,
  PRIMARY KEY(ns, key, member)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_lease(ns TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL,
  token INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_fence(ns TEXT PRIMARY KEY, token INTEGER NOT NULL) WITHOUT ROWID;`;

const LIVE = '(expires IS NULL OR expires > ?)';

/** Lists (the order is the autoincremented seq): see listPush. */
const SCHEMA_LISTS = `
CREATE TABLE IF NOT EXISTS state_list(ns TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
  item TEXT NOT NULL, PRIMARY KEY(ns, key, seq)) WITHOUT ROWID;`;

export interface SqliteStateOptions {
  handle: SqliteHandle;
  namespace: string;
  /** Injectable for tests; Date.now by default. */
  now?: () => number;
  /** Handles on one scope share wake-up messages (publish/subscribe); the file path by default. */
  scope?: string;
}

export class SqliteState implements StatePort {
  readonly #handle: SqliteHandle;
  readonly #ns: string;
  readonly #now: () => number;

  /** Gives `key` to `owner` with the next fencing token (inside the caller's transaction). */
  #grant(db: Db, key: string, owner: string, expires: number): number {
    const row = db.get(
      'INSERT INTO state_fence(ns, token) VALUES (?, 1) ' +
        'ON CONFLICT(ns) DO UPDATE SET token = token + 1 RETURNING token',
      [this.#ns],
    ) as { token: number };
    db.run('INSERT OR REPLACE INTO state_lease(ns, key, owner, token, expires) VALUES (?, ?, ?, ?, ?)', [
      this.#ns,
      key,
      owner,
      row.token,
      expires,
    ]);
    return row.token;
  }
  #lastSweep = 0;
  readonly #bus: LocalBus;

  constructor({ handle, namespace, now = Date.now, scope }: SqliteStateOptions) {
    this.#handle = handle;
    this.#ns = namespace;
    this.#now = now;
    this.#bus = busFor(`${scope ?? handle.file}\0${namespace}`);
    handle.db.exec(SCHEMA);
    handle.db.exec(SCHEMA_LISTS);
    this.#sweep();
  }

  async get(key: string): Promise<unknown> {
    const row = this.#open().get(`SELECT value FROM state_value WHERE ns = ? AND key = ? AND ${LIVE}`, [
      this.#ns,
      key,
      this.#now(),
    ]) as { value: string } | null;
    return row ? JSON.parse(row.value) : undefined;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const expires = ttlMs === undefined ? null : this.#now() + ttl(ttlMs);
    this.#open().run('INSERT OR REPLACE INTO state_value(ns, key, value, expires) VALUES (?, ?, ?, ?)', [
      this.#ns,
      key,
      toJson(value),
      expires,
    ]);
    this.#maybeSweep();
  }

  async delete(key: string): Promise<boolean> {
    const row = this.#open().get('DELETE FROM state_value WHERE ns = ? AND key = ? RETURNING expires', [
      this.#ns,
      key,
    ]) as { expires: number | null } | null;
    return row !== null && (row.expires === null || row.expires > this.#now());
  }

  /** Inserts, or takes over a row whose ttl has passed; `changes` tells which happened. */
  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const sql =
      'INSERT INTO state_value(ns, key, value, expires) VALUES (?, ?, ?, ?) ON CONFLICT(ns, key) DO UPDATE SET ' +
      'value = excluded.value, expires = excluded.expires ' +
      'WHERE state_value.expires IS NOT NULL AND state_value.expires <= ?';
    const changes = this.#open().run(sql, [this.#ns, key, toJson(value), now + ttl(ttlMs), now]).changes;
    this.#maybeSweep();
    return changes > 0;
  }

  // Counters: a table of their own, made on first use. One upsert decides and writes (the limit is checked in
  // its WHERE), so a reservation is atomic like every other statement here.
  #countersReady = false;
  #countersSwept = 0;

  async reserve(key: string, amount: number, limit: number | null, ttlMs: number): Promise<Reservation> {
    whole(amount, 'amount');
    if (limit !== null) whole(limit, 'limit');
    const now = this.#now();
    const db = this.#counters();
    const current = '(CASE WHEN state_counter.expires <= ?6 THEN 0 ELSE state_counter.used END)';
    const fits = `(?3 <= 0 OR ?4 IS NULL OR ${current} + ?3 <= ?4)`;
    const sql =
      'INSERT INTO state_counter(ns, key, used, expires) SELECT ?1, ?2, max(0, ?3), ?5 ' +
      'WHERE ?3 <= 0 OR ?4 IS NULL OR ?3 <= ?4 ' +
      `ON CONFLICT(ns, key) DO UPDATE SET used = max(0, ${current} + ?3), expires = ?5 WHERE ${fits} ` +
      'RETURNING used';
    const row = db.get(sql, [this.#ns, key, amount, limit, now + ttl(ttlMs), now]) as { used: number } | null;
    if (now - this.#countersSwept >= SWEEP_EVERY_MS) {
      this.#countersSwept = now;
      db.run('DELETE FROM state_counter WHERE expires <= ?', [now]);
    }
    return row ? { ok: true, used: row.used } : { ok: false, used: await this.counter(key) };
  }

  async counter(key: string): Promise<number> {
    const row = this.#counters().get(
      'SELECT used FROM state_counter WHERE ns = ? AND key = ? AND expires > ?',
      [this.#ns, key, this.#now()],
    ) as { used: number } | null;
    return row?.used ?? 0;
  }

  #counters(): Db {
    const db = this.#open();
    if (!this.#countersReady) {
      db.exec(
        'CREATE TABLE IF NOT EXISTS state_counter(ns TEXT NOT NULL, key TEXT NOT NULL, ' +
          'used INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID',
      );
      this.#countersReady = true;
    }
    return db;
  }

  async addMember(key: string, member: string): Promise<void> {
    this.#open().run('INSERT OR IGNORE INTO state_set(ns, key, member) VALUES (?, ?, ?)', [
      this.#ns,
      key,
      member,
    ]);
  }

  async removeMember(key: string, member: string): Promise<void> {
    this.#open().run('DELETE FROM state_set WHERE ns = ? AND key = ? AND member = ?', [
      this.#ns,
      key,
      member,
    ]);
  }

  async members(key: string): Promise<string[]> {
    const rows = this.#open().all('SELECT member FROM state_set WHERE ns = ? AND key = ?', [
      this.#ns,
      key,
    ]) as Array<{ member: string }>;
    return rows.map((r) => r.member);
  }

  /**
   * The fencing counter is a row of its own (per namespace) so a released or expired lease does not take its
   * count with it; counter and lease change in one transaction.
   */
  async acquireLease(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const expires = this.#now() + ttl(ttlMs);
    const db = this.#open();
    const token = transaction(db, () => {
      const held = db.get('SELECT 1 AS held FROM state_lease WHERE ns = ? AND key = ? AND expires > ?', [
        this.#ns,
        key,
        this.#now(),
      ]);
      if (held) return undefined;
      return this.#grant(db, key, owner, expires);
    });
    this.#maybeSweep();
    return token === undefined ? undefined : { key, owner, token };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const sql =
      'UPDATE state_lease SET expires = ? WHERE ns = ? AND key = ? AND owner = ? AND token = ? AND expires > ?';
    const args = [now + ttl(ttlMs), this.#ns, lease.key, lease.owner, lease.token, now];
    return this.#open().run(sql, args).changes > 0;
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const sql =
      'DELETE FROM state_lease WHERE ns = ? AND key = ? AND owner = ? AND token = ? AND expires > ?';
    const args = [this.#ns, lease.key, lease.owner, lease.token, this.#now()];
    return this.#open().run(sql, args).changes > 0;
  }

  async leaseHolder(key: string): Promise<LeaseHolder | undefined> {
    const row = this.#open().get(
      'SELECT owner, token FROM state_lease WHERE ns = ? AND key = ? AND expires > ?',
      [this.#ns, key, this.#now()],
    ) as LeaseHolder | null;
    return row ?? undefined;
  }

  async replaceLease(
    key: string,
    previous: LeaseHolder,
    owner: string,
    ttlMs: number,
  ): Promise<Lease | undefined> {
    const expires = this.#now() + ttl(ttlMs);
    const db = this.#open();
    const token = transaction(db, () => {
      const held = db.get('SELECT owner, token FROM state_lease WHERE ns = ? AND key = ? AND expires > ?', [
        this.#ns,
        key,
        this.#now(),
      ]) as LeaseHolder | null;
      if (held && (held.owner !== previous.owner || held.token !== previous.token)) return undefined;
      return this.#grant(db, key, owner, expires);
    });
    return token === undefined ? undefined : { key, owner, token };
  }

  async setFenced(lease: Lease, key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const json = toJson(value);
    const expires = ttlMs === undefined ? null : this.#now() + ttl(ttlMs);
    const db = this.#open();
    return transaction(db, () => {
      const held = db.get(
        'SELECT 1 AS held FROM state_lease WHERE ns = ? AND key = ? AND owner = ? AND token = ? AND expires > ?',
        [this.#ns, lease.key, lease.owner, lease.token, this.#now()],
      );
      if (!held) return false;
      db.run('INSERT OR REPLACE INTO state_value(ns, key, value, expires) VALUES (?, ?, ?, ?)', [
        this.#ns,
        key,
        json,
        expires,
      ]);
      return true;
    });
  }

  async listPush(
    key: string,
    item: string,
    maxLength = Number.POSITIVE_INFINITY,
  ): Promise<number | undefined> {
    const db = this.#open();
    return transaction(db, () => {
      const row = db.get(
        'SELECT count(*) AS n, coalesce(max(seq), 0) AS last FROM state_list WHERE ns = ? AND key = ?',
        [this.#ns, key],
      ) as { n: number; last: number };
      if (row.n >= maxLength) return undefined;
      db.run('INSERT INTO state_list(ns, key, seq, item) VALUES (?, ?, ?, ?)', [
        this.#ns,
        key,
        row.last + 1,
        item,
      ]);
      return row.n + 1;
    });
  }

  async listItems(key: string): Promise<string[]> {
    const rows = this.#open().all('SELECT item FROM state_list WHERE ns = ? AND key = ? ORDER BY seq', [
      this.#ns,
      key,
    ]) as Array<{ item: string }>;
    return rows.map((r) => r.item);
  }

  async listRemove(key: string, item: string): Promise<boolean> {
    const sql = 'DELETE FROM state_list WHERE ns = ? AND key = ? AND item = ?';
    return this.#open().run(sql, [this.#ns, key, item]).changes > 0;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#open();
    await this.#bus.publish(channel, message);
  }

  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    this.#open();
    return this.#bus.subscribe(channel, onMessage);
  }

  #open(): Db {
    return this.#handle.db;
  }

  #maybeSweep(): void {
    if (this.#now() - this.#lastSweep >= SWEEP_EVERY_MS) this.#sweep();
  }

  #sweep(): void {
    const now = this.#now();
    this.#lastSweep = now;
    const db = this.#open();
    db.run('DELETE FROM state_value WHERE expires IS NOT NULL AND expires <= ?', [now]);
    db.run('DELETE FROM state_lease WHERE expires <= ?', [now]);
  }
}
