import type Keyv from 'keyv';
import { serialized } from './serial.ts';

/*
 * A list of ids kept under one key, because Keyv cannot list keys on every backend: the engine indexes
 * pending jobs here so a restarted process can find them. Updates are read-modify-write, serialized per
 * store and index key within this process (concurrent adds lose nothing). Two processes updating the same
 * index at the same moment can lose an id; run one engine process per store.
 */

/** Adds `id` unless present. */
export function addToIndex(store: Keyv, indexKey: string, id: string): Promise<void> {
  return serialized(store, indexKey, async () => {
    const ids = await load(store, indexKey);
    if (ids.includes(id)) return;
    ids.push(id);
    await save(store, indexKey, ids);
  });
}

/** Removes `id` if present; the key is deleted when the list empties. */
export function removeFromIndex(store: Keyv, indexKey: string, id: string): Promise<void> {
  return serialized(store, indexKey, async () => {
    const ids = await load(store, indexKey);
    const rest = ids.filter((x) => x !== id);
    if (rest.length === ids.length) return;
    if (rest.length === 0) await store.delete(indexKey);
    else await save(store, indexKey, rest);
  });
}

/** The ids in insertion order; queued behind pending updates of this process so it reads its own writes. */
export function readIndex(store: Keyv, indexKey: string): Promise<string[]> {
  return serialized(store, indexKey, () => load(store, indexKey));
}

async function load(store: Keyv, indexKey: string): Promise<string[]> {
  const value: unknown = await store.get(indexKey);
  // A missing or foreign value reads as empty rather than crashing the resume of every other job.
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

async function save(store: Keyv, indexKey: string, ids: string[]): Promise<void> {
  const ok = await store.set(indexKey, ids);
  if (!ok) throw new Error(`store refused to write index ${indexKey}`);
}
