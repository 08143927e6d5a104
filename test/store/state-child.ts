import { createInterface } from 'node:readline';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore } from '../../src/store/index.ts';

// A second process racing the state port (state.test's cross-process cases). Usage:
//   node --import tsx test/store/state-child.ts <STORE_URL> <namespace> <tag> <keys>
// Opens the store, prints "ready", waits for "go" on stdin (so both children start together), then at once:
// setIfAbsent on keys k0…k<keys-1>, adds <tag>-0…<tag>-<keys-1> to the set "members", and tries the lease
// "lease"; prints one JSON line with the outcome and exits.

const [url, namespace, tag, count] = process.argv.slice(2);
if (!url || !namespace || !tag || !count)
  throw new Error('usage: state-child <url> <namespace> <tag> <keys>');
const n = Number(count);
const logger = createLogger({ level: 'silent', secrets: new Secrets() });
const store = await createStore(url, { logger, namespace });
const { state } = store;

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const keys = Array.from({ length: n }, (_, i) => `k${i}`);
const [won, , lease] = await Promise.all([
  Promise.all(keys.map((k) => state.setIfAbsent(k, tag, 60_000))),
  Promise.all(keys.map((_, i) => state.addMember('members', `${tag}-${i}`))),
  state.acquireLease('lease', tag, 60_000),
]);
process.stdout.write(`${JSON.stringify({ won: keys.filter((_, i) => won[i]), lease: lease ?? null })}\n`);
await store.close();
