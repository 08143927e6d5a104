import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'node-sqlite3-wasm';
import type { Logger } from '../secrets.ts';
import { StoreError } from './errors.ts';
import {
  claimOrphan,
  claimStale,
  inUse,
  lockAge,
  ownRecord,
  parseOwner,
  REFRESH_MS,
  readOwner,
  removeOwner,
  running,
  touchOwner,
  writeOwner,
} from './sqlite-owner.ts';

/*
 * The SQLite file under the Keyv adapter (sqlite.ts) and the state port (state-sqlite.ts): one connection per
 * process, shared by every store this process opens on the file, and one process per file.
 *
 * Why these settings. node-sqlite3-wasm (SQLite compiled to WebAssembly, chosen because CI runs Node 20 and 24
 * on one node_modules: no native addon per ABI, and node:sqlite exists only from Node 22) runs every statement
 * synchronously on the event loop, so a statement's cost is paid by every chat. Its VFS locks by creating the
 * directory `<file>.lock`. With SQLite's defaults (rollback journal, an fsync per commit, the lock taken and
 * dropped around every statement) a write costs ~1.1–1.3 ms and a read ~0.3 ms; with
 *   locking_mode=EXCLUSIVE  the lock is taken once and held until close,
 *   journal_mode=WAL        a commit appends to `<file>-wal` (without shared memory, which this VFS lacks,
 *                           SQLite allows WAL only in EXCLUSIVE mode),
 *   synchronous=NORMAL      no fsync per commit; the WAL is synced at checkpoints,
 * a write costs ~0.05 ms and a read ~0.01 ms (bench/sqlite.ts measures it). A worker thread was measured
 * too: its message round trip alone costs more than the write. Durability: a commit's bytes reach the OS
 * before the call returns, so a killed or crashed process loses nothing; a power loss or kernel crash can
 * lose the last commits before a checkpoint, never the file's consistency.
 *
 * One process per file. EXCLUSIVE keeps `<file>.lock` for the whole life of the connection, so a second
 * process is refused at open with one clear line (several instances share Redis, not a file). Who holds the
 * lock is written in `<file>.owner` (pid, host, the process's start time): a lock left by a killed process
 * (SIGKILL, OOM, a crash) is taken over at once when that process no longer runs on this host, and never
 * while it does. The record is written right after the lock is taken and removed right before it is
 * released, so a record always names a process that holds (or held, until it died) the lock. A process on
 * another host (a new container on the same volume) cannot be asked whether it runs: its record is refreshed
 * every 10 s, and one not refreshed for 30 s is taken over (sqlite-owner.ts).
 */

const { Database } = sqlite3;
export type Db = InstanceType<typeof Database>;

/** A lock with no owner record is a process between taking the lock and writing it, or an older bot version. */
const ORPHAN_LOCK_STALE_MS = 5_000;
const RETRY_MS = 50;
/** Past this, opening gives up (a lock that can be neither taken nor taken over, e.g. no permission). */
const GIVE_UP_MS = 15_000;

interface Shared {
  db: Db;
  owner: string;
  refs: number;
  refresh: NodeJS.Timeout;
}

/** This process's connections (or their opening), by absolute path: a second store on one file shares it. */
const open = new Map<string, Promise<Shared>>();

/** One store's use of the process's connection to a file; closing it closes the connection with the last user. */
export class SqliteHandle {
  #closed = false;
  readonly #shared: Shared;

  constructor(
    readonly file: string,
    shared: Shared,
  ) {
    this.#shared = shared;
  }

  /** The connection, or store_closed once this handle (or the connection) was closed. */
  get db(): Db {
    if (this.#closed || !this.#shared.db.isOpen)
      throw new StoreError('store_closed', 'the SQLite store is closed');
    return this.#shared.db;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (--this.#shared.refs > 0) return;
    open.delete(this.file);
    clearInterval(this.#shared.refresh);
    if (!this.#shared.db.isOpen) return;
    // The record goes first, while the lock is still held (see the invariant above).
    removeOwner(this.file, this.#shared.owner);
    this.#shared.db.close();
  }
}

/** Opens (creating it and its directories) the SQLite file; rejects with store_in_use when another process has it. */
export async function openSqlite(path: string, logger: Logger): Promise<SqliteHandle> {
  const file = resolve(path);
  for (;;) {
    let opening = open.get(file);
    if (!opening) {
      opening = connect(file, logger);
      open.set(file, opening);
      opening.catch(() => open.delete(file));
    }
    const shared = await opening;
    // Closed by its last user while this call waited: open it again.
    if (!shared.db.isOpen) continue;
    shared.refs++;
    return new SqliteHandle(file, shared);
  }
}

async function connect(file: string, logger: Logger): Promise<Shared> {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw openFailed(file, err);
  }
  const { db, owner } = await acquire(file, logger);
  const refresh = setInterval(() => touchOwner(file, owner), REFRESH_MS).unref();
  return { db, owner, refs: 0, refresh };
}

/** Runs `fn` in one IMMEDIATE transaction (no await inside, so nothing else of this process interleaves). */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

async function acquire(file: string, logger: Logger): Promise<{ db: Db; owner: string }> {
  const giveUp = Date.now() + GIVE_UP_MS;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && Date.now() > giveUp) throw inUse(file, undefined);
    const db = lock(file);
    if (db) {
      const owner = ownRecord();
      try {
        writeOwner(file, owner);
      } catch (err) {
        db.close();
        throw openFailed(file, err);
      }
      return { db, owner };
    }
    const raw = readOwner(file);
    if (raw !== undefined) {
      const owner = parseOwner(raw);
      if (owner && running(owner, file)) throw inUse(file, owner);
      if (claimStale(file, raw)) {
        logger.warn({ file, pid: owner?.pid }, 'took over the SQLite file from a bot process that is gone');
      }
      continue;
    }
    // A lock without a record: its owner is writing the record right now, or it is an older bot version's.
    const age = lockAge(file);
    if (age === undefined) continue;
    if (age > ORPHAN_LOCK_STALE_MS && claimOrphan(file)) {
      logger.warn({ file, ageMs: Math.round(age) }, 'removed a stale SQLite lock with no owner');
      continue;
    }
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

/** The connection with the file lock held, or undefined when another connection holds it (SQLITE_BUSY). */
function lock(file: string): Db | undefined {
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw openFailed(file, err);
  }
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // Reading the header takes the lock, and EXCLUSIVE keeps it; WAL then needs no shared memory.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    return db;
  } catch (err) {
    db.close();
    if (/database is locked|SQLITE_BUSY/i.test(errText(err))) return undefined;
    throw openFailed(file, err);
  }
}

function openFailed(file: string, err: unknown): StoreError {
  return new StoreError('store_open_failed', `cannot open SQLite store ${file}: ${errText(err)}`, {
    cause: err,
  });
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
