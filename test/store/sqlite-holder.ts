import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore } from '../../src/store/index.ts';

// A process holding a SQLite store (sqlite.test's one-process-per-file cases). Usage:
//   node --import tsx test/store/sqlite-holder.ts <STORE_URL> <namespace>
// Opens the store, writes `held` = its pid (Keyv) and `by:<pid>` = 1 (state port), prints "ready", then holds the
// file until stdin ends (a clean close and exit 0) or it is killed. An open that fails prints the error's code
// and message on stderr and exits 1.

const [url, namespace] = process.argv.slice(2);
if (!url || !namespace) throw new Error('usage: sqlite-holder <url> <namespace>');
const logger = createLogger({ level: 'silent', secrets: new Secrets() });
let store: Awaited<ReturnType<typeof createStore>>;
try {
  store = await createStore(url, { logger, namespace });
} catch (err) {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exit(1);
}
await store.keyv.set('held', process.pid);
await store.state.set(`by:${process.pid}`, 1);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void store.close().then(() => process.exit(0));
});
