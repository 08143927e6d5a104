import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { StoreError } from './errors.ts';
import { type Db, errText, type SqliteHandle, transaction } from './sqlite-file.ts';

/*
 * A Keyv storage adapter over the SQLite file (sqlite-file.ts: the connection, its settings and the one-process
 * rule), in a table of its own. Chosen over @keyv/sqlite because the native sqlite3 module needs prebuilt
 * binaries per Node ABI, and CI runs Node 20 and 24 on one node_modules. Every call is synchronous inside (no
 * await between a read and its write), so concurrent Keyv calls cannot interleave inside a statement.
 */

/** Expired rows are swept at open and then at most this often, on a write (no timer keeps the process up). */
const SWEEP_EVERY_MS = 60_000;
const PAGE = 100;

export interface SqliteStoreOptions {
  handle: SqliteHandle;
  /** Injectable for tests; Date.now by default. */
  now?: () => number;
}

type Row = { key: string; value: string; expires: number | null };

export class SqliteStore extends EventEmitter implements KeyvStoreAdapter {
  /** Keyv reads `opts.dialect` to decide that this adapter can iterate. */
  readonly opts: { dialect: 'sqlite'; url: string };
  namespace?: string | undefined;
  readonly #handle: SqliteHandle;
  readonly #now: () => number;
  #lastSweep = 0;

  constructor({ handle, now = Date.now }: SqliteStoreOptions) {
    super();
    const { file } = handle;
    this.opts = { dialect: 'sqlite', url: `sqlite://${file}` };
    this.#handle = handle;
    this.#now = now;
    try {
      handle.db.exec(
        'CREATE TABLE IF NOT EXISTS keyv(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);' +
          'CREATE INDEX IF NOT EXISTS keyv_expires ON keyv(expires) WHERE expires IS NOT NULL;',
      );
      this.#sweep();
    } catch (err) {
      throw new StoreError('store_open_failed', `cannot use SQLite store ${file}: ${errText(err)}`, {
        cause: err,
      });
    }
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.#open().get('SELECT value, expires FROM keyv WHERE key = ?', [key]) as Row | null;
    if (!row) return undefined;
    if (this.#expired(row.expires)) {
      this.#open().run('DELETE FROM keyv WHERE key = ? AND expires = ?', [key, row.expires]);
      return undefined;
    }
    return row.value as StoredData<Value>;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const found = new Map<string, string>();
    const db = this.#open();
    for (let i = 0; i < keys.length; i += PAGE) {
      const chunk = keys.slice(i, i + PAGE);
      const rows = db.all(
        `SELECT key, value, expires FROM keyv WHERE key IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      ) as Row[];
      for (const r of rows) if (!this.#expired(r.expires)) found.set(r.key, r.value);
    }
    return keys.map((k) => found.get(k) as StoredData<Value | undefined>);
  }

  async has(key: string): Promise<boolean> {
    const sql = 'SELECT 1 AS ok FROM keyv WHERE key = ? AND (expires IS NULL OR expires > ?)';
    return this.#open().get(sql, [key, this.#now()]) !== null;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.#write(key, value, ttl);
    this.#maybeSweep();
    return true;
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    this.#transaction(() => {
      for (const e of entries) this.#write(e.key, e.value, e.ttl);
    });
    this.#maybeSweep();
  }

  async delete(key: string): Promise<boolean> {
    return this.#open().run('DELETE FROM keyv WHERE key = ?', [key]).changes > 0;
  }

  /** True when at least one key existed (as @keyv/redis answers). */
  async deleteMany(keys: string[]): Promise<boolean> {
    let changes = 0;
    this.#transaction(() => {
      for (const k of keys) changes += this.#open().run('DELETE FROM keyv WHERE key = ?', [k]).changes;
    });
    return changes > 0;
  }

  /** Clears this namespace only (Keyv prefixes keys with `<namespace>:`); everything when there is none. */
  async clear(): Promise<void> {
    const db = this.#open();
    if (this.namespace === undefined) db.run('DELETE FROM keyv');
    else db.run('DELETE FROM keyv WHERE key >= ? AND key < ?', prefixRange(this.namespace));
  }

  /** Yields [prefixed key, raw value] pages; Keyv's own iterator strips the prefix and decodes. */
  async *iterator<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const [from, to] = namespace === undefined ? ['', undefined] : prefixRange(namespace);
    let after: string | undefined;
    for (;;) {
      const rows = this.#open().all(
        `SELECT key, value, expires FROM keyv WHERE key ${after === undefined ? '>=' : '>'} ?` +
          `${to === undefined ? '' : ' AND key < ?'} ORDER BY key LIMIT ${PAGE}`,
        to === undefined ? [after ?? from] : [after ?? from, to],
      ) as Row[];
      for (const r of rows) if (!this.#expired(r.expires)) yield [r.key, r.value as Awaited<Value>];
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return;
      after = last.key;
    }
  }

  async disconnect(): Promise<void> {
    this.#handle.close();
  }

  #open(): Db {
    return this.#handle.db;
  }

  #write(key: string, value: unknown, ttl: number | undefined): void {
    // Keyv hands over its serialized JSON string; anything else would not read back the same.
    if (typeof value !== 'string') throw new TypeError('SqliteStore stores serialized strings only');
    const expires = typeof ttl === 'number' && ttl > 0 ? this.#now() + ttl : null;
    this.#open().run('INSERT OR REPLACE INTO keyv(key, value, expires) VALUES (?, ?, ?)', [
      key,
      value,
      expires,
    ]);
  }

  #transaction(fn: () => void): void {
    transaction(this.#open(), fn);
  }

  #expired(expires: number | null): boolean {
    return expires !== null && expires <= this.#now();
  }

  #maybeSweep(): void {
    if (this.#now() - this.#lastSweep >= SWEEP_EVERY_MS) this.#sweep();
  }

  #sweep(): void {
    this.#lastSweep = this.#now();
    this.#open().run('DELETE FROM keyv WHERE expires IS NOT NULL AND expires <= ?', [this.#lastSweep]);
  }
}

/** [from, to) covering every key that starts with `<namespace>:` (';' is the code point after ':'). */
function prefixRange(namespace: string): [string, string] {
  return [`${namespace}:`, `${namespace};`];
}
