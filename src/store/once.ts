import type Keyv from 'keyv';
import { serialized } from './serial.ts';

/** An adapter that can insert a key only when it is absent (or expired), in one atomic step. */
export interface AtomicAdd {
  addIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
}

/**
 * True the first time `key` is seen, false when it was seen within `ttlMs` (Telegram update_ids already
 * handled, results already posted).
 *
 * Race window: Keyv has no set-if-absent, so this uses the adapter's own atomic step where there is one:
 * - Redis: `SET key value NX PX ttl` (atomic across processes and instances);
 * - SQLite: one `INSERT … ON CONFLICT … WHERE expired` statement under SQLite's file lock (atomic across
 *   processes sharing the file);
 * - memory and any other adapter: `has` then `set`, serialized per store and key in this process, so calls
 *   within one process are exact; two processes could both get true between the two steps.
 * It marks the key before the caller acts: a crash between `true` and the action loses the action
 * (at-most-once), so callers mark first only where a duplicate is worse than a miss.
 * A store failure rejects (never a silent `true`).
 */
export async function firstTime(store: Keyv, key: string, ttlMs: number): Promise<boolean> {
  if (!(ttlMs > 0)) throw new RangeError('firstTime needs a positive ttl');
  const adapter: unknown = store.store;
  if (isAtomicAdd(adapter)) {
    // Keyv's own stored shape, so a plain `get`/`has` of the key reads it back.
    const raw = JSON.stringify({ value: true, expires: Date.now() + ttlMs });
    return adapter.addIfAbsent(prefixed(store, key), raw, ttlMs);
  }
  return serialized(store, `once:${key}`, async () => {
    if (await store.has(key)) return false;
    await store.set(key, true, ttlMs);
    return true;
  });
}

function isAtomicAdd(x: unknown): x is AtomicAdd {
  return typeof x === 'object' && x !== null && typeof (x as Partial<AtomicAdd>).addIfAbsent === 'function';
}

/** The key as Keyv would hand it to the adapter (Keyv's `_getKeyPrefix`). */
function prefixed(store: Keyv, key: string): string {
  const ns = store.namespace;
  if (!store.useKeyPrefix || !ns || key.startsWith(`${ns}:`)) return key;
  return `${ns}:${key}`;
}
