// Memory per chat: the bot's heap and RSS growth after 1,000 chats have each had a first agent turn (an
// anonymous token, a NemoVideo session, a session record in the memory store, the engine's per-chat caches).
// The fake NemoVideo runs in a child process so only the bot's memory is measured.
import { rm } from 'node:fs/promises';
import { createEngine } from '../src/core/engine.ts';
import { createStore } from '../src/store/index.ts';
import { benchBot, countingChat, emit, fmt, gc, MB, type Row } from './lib.ts';

const CHATS = 1_000;
const WARM = 40;
const PARALLEL = 20;
const BUDGET_MS = 25_000;

const { fake, exportDir, config, secrets, logger, nemo } = await benchBot({});
const store = await createStore('memory://', { logger });
const engine = createEngine({ config, nemo, store: store.keyv, state: store.state, logger, secrets });

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
          sender: { id: `u${i + k}`, displayName: 'Bench', isAdmin: async () => true },
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
  const record = JSON.stringify((await store.keyv.get(`chat:term:chat-${WARM}`)) ?? {}).length;
  const per = (k: 'heapUsed' | 'rss') => ((after[k] - before[k]) / n / 1024).toFixed(1);
  rows.push({
    bench: 'Memory per chat',
    metric: 'heap / RSS KB per chat',
    value: `${per('heapUsed')} / ${per('rss')}`,
    note: `${n} chats with a session (first turn each, ${PARALLEL} at a time, ${fmt(n / secs, 0)} chats/s); heap ${fmt(before.heapUsed / MB)} → ${fmt(after.heapUsed / MB)} MB, RSS ${fmt(before.rss / MB)} → ${fmt(after.rss / MB)} MB; stored record ${record} B`,
  });
} finally {
  await engine.close();
  await store.close();
  await fake.close();
  await rm(exportDir, { recursive: true, force: true });
}
emit(rows);
