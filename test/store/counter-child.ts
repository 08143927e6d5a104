import { createInterface } from 'node:readline';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore } from '../../src/store/index.ts';

// A process racing the state port's counters (counter-contract.ts). Usage:
//   node --import tsx test/store/counter-child.ts <STORE_URL> <namespace>
// Opens the store, prints "ready", waits for "go", then at once reserves 1 unit of "quota" (limit 10) twenty
// times; prints how many reservations passed and exits.

const [url, namespace] = process.argv.slice(2);
if (!url || !namespace) throw new Error('usage: counter-child <url> <namespace>');
const logger = createLogger({ level: 'silent', secrets: new Secrets() });
const store = await createStore(url, { logger, namespace });

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const results = await Promise.all(
  Array.from({ length: 20 }, () => store.state.reserve('quota', 1, 10, 60_000)),
);
process.stdout.write(`${results.filter((r) => r.ok).length}\n`);
await store.close();
