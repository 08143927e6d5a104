import { randomBytes } from 'node:crypto';
import {
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { StoreError } from './errors.ts';

// Who holds a SQLite file (sqlite-file.ts explains the one-process rule): the `<file>.owner` record, whether
// its process still runs, and taking over what a dead one left, safely when several processes try at once.

/** How often the owner record's mtime is refreshed, and when another host's record counts as abandoned. */
export const REFRESH_MS = 10_000;
const REMOTE_STALE_MS = 30_000;

export interface Owner {
  pid: number;
  host: string;
  /** The process's start time (Linux: clock ticks after boot), so a reused pid is not mistaken for it. */
  start: string | null;
}

/** This process's record. */
export function ownRecord(): string {
  return JSON.stringify({ pid: process.pid, host: hostname(), start: startOf(process.pid) });
}

/**
 * Moves a dead owner's record aside (rename is atomic: of several processes taking over, one wins), checks
 * it is the record judged dead (not a live one written meanwhile), then removes the lock it left.
 */
export function claimStale(file: string, judged: string): boolean {
  const aside = `${file}.owner.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(`${file}.owner`, aside);
  } catch {
    return false; // another process took it first
  }
  let moved: string | undefined;
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as what we judged
  }
  if (moved !== undefined && moved !== judged) {
    renameSync(aside, `${file}.owner`); // a live owner's record: put it back
    return false;
  }
  try {
    rmdirSync(`${file}.lock`);
  } catch {
    // already gone
  }
  unlinkSync(aside);
  return true;
}

/** Renames an ownerless stale lock aside (atomic), then removes it. */
export function claimOrphan(file: string): boolean {
  const aside = `${file}.lock.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(`${file}.lock`, aside);
    rmdirSync(aside);
    return true;
  } catch {
    return false;
  }
}

export function writeOwner(file: string, owner: string): void {
  const tmp = `${file}.owner.${process.pid}.tmp`;
  writeFileSync(tmp, owner);
  renameSync(tmp, `${file}.owner`);
}

export function readOwner(file: string): string | undefined {
  try {
    return readFileSync(`${file}.owner`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Refreshes the record's mtime while it is still ours (the sign of life another host looks at). */
export function touchOwner(file: string, owner: string): void {
  try {
    if (readOwner(file) === owner) {
      const now = new Date();
      utimesSync(`${file}.owner`, now, now);
    }
  } catch {
    // the next refresh tries again
  }
}

export function removeOwner(file: string, owner: string): void {
  try {
    if (readOwner(file) === owner) unlinkSync(`${file}.owner`);
  } catch {
    // nothing to remove
  }
}

export function parseOwner(raw: string): Owner | undefined {
  try {
    const o = JSON.parse(raw) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string'
      ? { pid: o.pid, host: o.host, start: typeof o.start === 'string' ? o.start : null }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True unless the owner is gone: on this host, no such process or a new process on its pid; on another host,
 * a record not refreshed for REMOTE_STALE_MS.
 */
export function running(owner: Owner, file: string): boolean {
  if (owner.host !== hostname()) {
    try {
      return Date.now() - statSync(`${file}.owner`).mtimeMs < REMOTE_STALE_MS;
    } catch {
      return false;
    }
  }
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = startOf(owner.pid);
  return owner.start === null || start === null || start === owner.start;
}

/** A process's start time in clock ticks after boot (field 22 of /proc/<pid>/stat); null off Linux. */
export function startOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function lockAge(file: string): number | undefined {
  try {
    return Date.now() - statSync(`${file}.lock`).mtimeMs;
  } catch {
    return undefined;
  }
}

export function inUse(file: string, owner: Owner | undefined): StoreError {
  const who = !owner
    ? ''
    : owner.host === hostname()
      ? ` (pid ${owner.pid})`
      : ` (pid ${owner.pid} on ${owner.host})`;
  return new StoreError(
    'store_in_use',
    `another bot process${who} is using ${file} — use a different STORE_URL, or Redis for several instances`,
  );
}
