// Memory per chat: the bot's heap and RSS growth after 1,000 chats have each had a first agent turn (an
// anonymous token, a NemoVideo session, a session record in the memory store, the engine's per-chat caches).
// The fake NemoVideo runs in a child process so only the bot's memory is measured.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config.ts';
import { createEngine } from '../src/core/engine.ts';
import { createNemoClient, nemoTimingFromConfig } from '../src/nemo/index.ts';
import { createLogger, Secrets } from '../src/secrets.ts';
import { closeStore, createStore } from '../src/store/index.ts';
import { countingChat, emit, fmt, gc, MB, type Row, startFakeChild } from './lib.ts';

const CHATS = 1_000;
const WARM = 40;
const PARALLEL = 20;
const BUDGET_MS = 25_000;

const fake = await startFakeChild({
  replyMs: 0,
  generateMs: 0,
  heartbeatMs: 1_000,
  tokensPerIp: 1_000_000,
  credits: { available: 1_000_000_000, frozen: 0 },
});
const exportDir = await mkdtemp(path.join(tmpdir(), 'nemo-bench-'));
const config = parseConfig({
  NEMO_API_URL: fake.url,
  STORE_URL: 'memory://',
  EXPORT_DIR: exportDir,
  HEARTBEAT_INTERVAL_MS: '0',
  LOG_LEVEL: 'silent',
});
const secrets = new Secrets();
const logger = createLogger({ level: 'silent', secrets });
const nemo = createNemoClient({
  baseUrl: fake.url,
  version: 'bench',
  secrets,
  logger,
  timing: nemoTimingFromConfig(config),
});
const store = await createStore('memory://', { logger });
const engine = createEngine({ config, nemo, store, logger, secrets });

/** Chats `from`…`to-1` each send one message, PARALLEL chats at a time. */
async function chats(from: number, to: number, until: number): Promise<number> {
  let done = from;
  for (let i = from; i < to && performance.now() < until; i += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, to - i) }, (_, k) => {
      const chat = countingChat(`term:chat-${i + k}`);
      return engine.handle(
        {
          address: chat.address,
          platform: 'terminal',
          sender: { id: `u${i + k}`, displayName: 'Bench', isAdmin: true },
          text: (i + k) % 2 === 0 ? 'hi, what can you do?' : '你好，你能做什么？',
          attachments: [],
        },
        chat,
      );
    });
    await Promise.all(batch);
    done = Math.min(to, i + PARALLEL);
  }
  return done - from;
}

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage();
};

const rows: Row[] = [];
try {
  await chats(0, WARM, Number.POSITIVE_INFINITY);
  const before = await settle();
  const t = performance.now();
  const n = await chats(WARM, WARM + CHATS, performance.now() + BUDGET_MS);
  const secs = (performance.now() - t) / 1000;
  const after = await settle();
  const record = JSON.stringify((await store.get(`chat:term:chat-${WARM}`)) ?? {}).length;
  const per = (k: 'heapUsed' | 'rss') => ((after[k] - before[k]) / n / 1024).toFixed(1);
  rows.push({
    bench: 'Memory per chat',
    metric: 'heap / RSS KB per chat',
    value: `${per('heapUsed')} / ${per('rss')}`,
    note: `${n} chats with a session (first turn each, ${PARALLEL} at a time, ${fmt(n / secs, 0)} chats/s); heap ${fmt(before.heapUsed / MB)} → ${fmt(after.heapUsed / MB)} MB, RSS ${fmt(before.rss / MB)} → ${fmt(after.rss / MB)} MB; stored record ${record} B`,
  });
} finally {
  await engine.close();
  await closeStore(store);
  await fake.close();
  await rm(exportDir, { recursive: true, force: true });
}
emit(rows);
