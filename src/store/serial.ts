import type Keyv from 'keyv';

const chains = new WeakMap<Keyv, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` after every earlier call for the same store and key has settled, so a read-modify-write
 * in this process never interleaves with another on the same key. Other processes are not covered.
 */
export function serialized<T>(store: Keyv, key: string, fn: () => Promise<T>): Promise<T> {
  let perStore = chains.get(store);
  if (!perStore) {
    perStore = new Map();
    chains.set(store, perStore);
  }
  const map = perStore;
  const prev = map.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  map.set(key, next);
  // Drop the entry once the tail settles so the map does not grow with every key ever seen.
  const forget = () => {
    if (map.get(key) === next) map.delete(key);
  };
  next.then(forget, forget);
  return next;
}
