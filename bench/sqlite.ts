// What one SQLite store call costs (it runs synchronously on the bot's event loop), and why the store is set
// up as it is (src/store/sqlite-file.ts): node-sqlite3-wasm on a file with SQLite's defaults, with
// EXCLUSIVE + WAL + synchronous=NORMAL, and the same WAL writes in a worker thread (a message round trip per
// call). The store's own calls go through createStore, as the bot makes them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import sqlite3 from 'node-sqlite3-wasm';
import { createLogger, Secrets } from '../src/secrets.ts';
import { createStore } from '../src/store/index.ts';
import { emit, ROOT, type Row } from './lib.ts';

const N = 500;
/** SQLite's defaults cost milliseconds per write: fewer calls keep the run short. */
const N_DEFAULTS = 100;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const VALUE = JSON.stringify({
  v: 1,
  sessionId: 's'.repeat(36),
  lang: 'en',
  jobs: [],
  note: 'x'.repeat(200),
});
const dir = mkdtempSync(path.join(tmpdir(), 'nemo-bench-sqlite-'));
const per = (t0: number, n = N) => (performance.now() - t0) / n;
const msf = (x: number) => `${x.toFixed(3)} ms`;

/** Raw writes and reads of one row shape, with the given pragmas. */
function raw(name: string, pragmas: string[], n = N): { write: number; read: number } {
  const db = new sqlite3.Database(path.join(dir, `${name}.sqlite`));
  for (const p of pragmas) db.exec(p);
  db.exec('CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER)');
  let t0 = performance.now();
  for (let i = 0; i < n; i++) db.run('INSERT OR REPLACE INTO kv VALUES (?, ?, ?)', [`k${i % 200}`, VALUE, i]);
  const write = per(t0, n);
  t0 = performance.now();
  for (let i = 0; i < n; i++) db.get('SELECT v FROM kv WHERE k = ?', [`k${i % 200}`]);
  const read = per(t0, n);
  db.close();
  return { write, read };
}

/** The WAL write in a worker thread, awaited one at a time (as a chat's turn would). */
async function worker(): Promise<number> {
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const sqlite3 = require(workerData.module);
     const db = new sqlite3.Database(workerData.file);
     for (const p of ['PRAGMA locking_mode=EXCLUSIVE', 'PRAGMA journal_mode=WAL', 'PRAGMA synchronous=NORMAL']) db.exec(p);
     db.exec('CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER)');
     parentPort.on('message', (m) => {
       db.run('INSERT OR REPLACE INTO kv VALUES (?, ?, ?)', [m.k, m.v, m.i]);
       parentPort.postMessage(m.i);
     });`,
    {
      eval: true,
      workerData: {
        module: path.join(ROOT, 'node_modules', 'node-sqlite3-wasm'),
        file: path.join(dir, `worker-${Math.random().toString(36).slice(2)}.sqlite`),
      },
    },
  );
  const waiting = new Map<number, () => void>();
  w.on('message', (i: number) => waiting.get(i)?.());
  const call = (i: number) =>
    new Promise<void>((resolve) => {
      waiting.set(i, resolve);
      w.postMessage({ k: `k${i % 200}`, v: VALUE, i });
    });
  for (let i = 0; i < 200; i++) await call(i);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await call(i);
  const rt = per(t0);
  await w.terminate();
  return rt;
}

/** The store as the bot uses it: a dedupe mark (state port) and a session write and read (Keyv). */
async function store(round: number): Promise<{ mark: number; set: number; get: number }> {
  const secrets = new Secrets();
  const s = await createStore(`sqlite://${path.join(dir, 'store.sqlite')}`, {
    logger: createLogger({ level: 'silent', secrets }),
  });
  try {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) await s.state.setIfAbsent(`tg:update:${round}:${i}`, 1, 60_000);
    const mark = per(t0);
    t0 = performance.now();
    for (let i = 0; i < N; i++) await s.keyv.set(`chat:tg:${i % 200}`, VALUE);
    const set = per(t0);
    t0 = performance.now();
    for (let i = 0; i < N; i++) await s.keyv.get(`chat:tg:${i % 200}`);
    return { mark, set, get: per(t0) };
  } finally {
    await s.close();
  }
}

/** Median of each field over the rounds (the machine's other work makes single runs noisy). */
function medians(runs: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(runs[0] ?? {})) {
    const xs = runs.map((r) => r[k] ?? Number.NaN).sort((a, b) => a - b);
    out[k] = xs[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
  }
  return out;
}

const WAL = ['PRAGMA locking_mode=EXCLUSIVE', 'PRAGMA journal_mode=WAL', 'PRAGMA synchronous=NORMAL'];

try {
  const runs: Array<Record<string, number>> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const d = raw('default', ['PRAGMA busy_timeout = 2000'], N_DEFAULTS);
    const w = raw('wal', WAL);
    const worked = await worker();
    const s = await store(r);
    runs.push({ dw: d.write, dr: d.read, ww: w.write, wr: w.read, worker: worked, ...s });
  }
  const m = medians(runs);
  const at = (k: string) => m[k] ?? Number.NaN;
  const defaults = { write: at('dw'), read: at('dr') };
  const wal = { write: at('ww'), read: at('wr') };
  const inWorker = at('worker');
  const ours = { mark: at('mark'), set: at('set'), get: at('get') };
  const rows: Row[] = [
    {
      figure: 'SQLite store call (synchronous on the event loop)',
      bot: `dedupe mark ${msf(ours.mark)}, session set ${msf(ours.set)}, get ${msf(ours.get)}`,
      baseline: `raw WAL write ${msf(wal.write)}, read ${msf(wal.read)}`,
      ratio: `${(ours.set / wal.write).toFixed(2)}× (set)`,
      note: `${N} calls each × ${ROUNDS} rounds (medians), a ${VALUE.length} B session record, through createStore as the bot calls it`,
    },
    {
      figure: 'SQLite settings: defaults vs EXCLUSIVE + WAL + synchronous=NORMAL (raw)',
      bot: `write ${msf(wal.write)}, read ${msf(wal.read)}`,
      baseline: `defaults: write ${msf(defaults.write)}, read ${msf(defaults.read)}`,
      ratio: `${(defaults.write / wal.write).toFixed(0)}× faster writes`,
      note: `the same WAL write in a worker thread, awaited: ${msf(inWorker)} per call (message round trip included)`,
    },
  ];
  emit(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
