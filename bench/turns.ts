// The bot's overhead per agent turn and per export: the real engine + client against the fake NemoVideo (in a
// child process, replyMs/generateMs 0) with a counting ChatPort, on a memory store and on a SQLite file. The
// same prompts through the bare client give the floor (loopback HTTP + the fake), so the difference is ours.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '../src/core/engine.ts';
import type { Engine, InboundMessage } from '../src/core/ports.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { benchBot, type CountingChat, countingChat, emit, fmt, type Row, stats } from './lib.ts';

const CHATS = 20;
const TURNS_PER_CHAT = 10;
const EXPORTS = 20;
/** Each measured series stops early past this (the run must stay bounded on a slow machine). */
const SERIES_BUDGET_MS = 20_000;

const EN = [
  'make a 30-second promo for my candle shop',
  'add a title "Grand Opening"',
  'what can you do?',
  'replace the music with something calmer',
  'make it shorter',
];
const ZH = [
  '给我的蜡烛店做一个30秒的宣传视频',
  '加一个标题"盛大开业"',
  '你能做什么？',
  '换一首更安静的背景音乐',
  '剪短一点',
];
const prompt = (chat: number, turn: number): string => {
  const list = chat % 2 === 0 ? EN : ZH;
  return list[turn % list.length] ?? '';
};

const { fake, exportDir, config, secrets, logger, nemo } = await benchBot(
  { RENDER_POLL_INTERVAL_MS: '1', RENDER_POLL_MAX: '50' },
  { renderPolls: 1 },
);

const message = (chat: CountingChat, text: string): InboundMessage => ({
  address: chat.address,
  platform: 'terminal',
  sender: { id: 'u1', displayName: 'Bench', isAdmin: async () => true },
  text,
  attachments: [],
});

async function timedHandle(engine: Engine, chat: CountingChat, text: string): Promise<number> {
  const t = performance.now();
  await engine.handle(message(chat, text), chat);
  return performance.now() - t;
}

/** 20 chats × 10 turns, one turn at a time, round-robin over the chats. */
async function turnSeries(store: Store, label: string): Promise<Row[]> {
  const engine = createEngine({ config, nemo, store: store.keyv, state: store.state, logger, secrets });
  try {
    const warm = countingChat(`term:warm-${label}`);
    for (let t = 0; t < 5; t++) await timedHandle(engine, warm, prompt(0, t));
    const chats = Array.from({ length: CHATS }, (_, i) => countingChat(`term:${label}-${i}`));
    const all: number[] = [];
    const first: number[] = [];
    const until = performance.now() + SERIES_BUDGET_MS;
    for (let t = 0; t < TURNS_PER_CHAT && performance.now() < until; t++) {
      for (const [i, chat] of chats.entries()) {
        const ms = await timedHandle(engine, chat, prompt(i, t));
        all.push(ms);
        if (t === 0) first.push(ms);
      }
    }
    const sent = chats.reduce((n, c) => n + c.sends + c.edits, 0);
    const s = stats(all);
    return [
      {
        bench: `Agent turn, ${label} store`,
        metric: 'median / p95 ms',
        value: `${fmt(s.median, 2)} / ${fmt(s.p95, 2)}`,
        note: `${s.n} turns, ${CHATS} chats, ${sent} chat messages; first turn of a chat (token + session) median ${fmt(stats(first).median, 2)} ms`,
      },
    ];
  } finally {
    await engine.close();
  }
}

/** The floor: the same prompts through the bare client (no engine, no store), one session per chat. */
async function clientSeries(): Promise<Row[]> {
  const all: number[] = [];
  const accounts = await Promise.all(
    Array.from({ length: CHATS + 1 }, async (_, i) => {
      const account = nemo.account(
        { kind: 'anonymous', clientId: `bench-client-${i}` },
        { platform: 'terminal' },
      );
      const s = await account.createSession(i % 2 === 0 ? 'en' : 'zh-CN');
      return { account, sessionId: s.sessionId };
    }),
  );
  const drain = async (a: (typeof accounts)[number], text: string) => {
    const t = performance.now();
    for await (const _ of a.account.chat(a.sessionId, text)) {
      // events are only counted by the engine; here they are dropped
    }
    return performance.now() - t;
  };
  const warm = accounts[CHATS];
  if (warm) for (let t = 0; t < 5; t++) await drain(warm, prompt(0, t));
  const until = performance.now() + SERIES_BUDGET_MS;
  for (let t = 0; t < TURNS_PER_CHAT && performance.now() < until; t++) {
    for (const [i, a] of accounts.slice(0, CHATS).entries()) all.push(await drain(a, prompt(i, t)));
  }
  const s = stats(all);
  return [
    {
      bench: 'Agent turn, bare client (floor)',
      metric: 'median / p95 ms',
      value: `${fmt(s.median, 2)} / ${fmt(s.p95, 2)}`,
      note: `${s.n} chat streams: loopback HTTP + the fake, no engine/store`,
    },
  ];
}

/** A full export (state → render → 1 poll → download → sendVideo) of one chat's project, 20 times. */
async function exportSeries(store: Store): Promise<Row[]> {
  const engine = createEngine({ config, nemo, store: store.keyv, state: store.state, logger, secrets });
  try {
    const chat = countingChat('term:export');
    await timedHandle(engine, chat, prompt(0, 0));
    for (let i = 0; i < 2; i++) await timedHandle(engine, chat, 'export'); // warm-up
    const all: number[] = [];
    const until = performance.now() + SERIES_BUDGET_MS;
    for (let i = 0; i < EXPORTS && performance.now() < until; i++)
      all.push(await timedHandle(engine, chat, 'export'));
    const s = stats(all);
    return [
      {
        bench: 'Export, memory store',
        metric: 'median / p95 ms',
        value: `${fmt(s.median, 2)} / ${fmt(s.p95, 2)}`,
        note: `${s.n} exports (render polls 1, poll interval 1 ms, 3.3 KB MP4 downloaded); ${chat.videos - 2} videos posted`,
      },
    ];
  } finally {
    await engine.close();
  }
}

/** What one store call costs on the SQLite file (synchronous inside: it holds the event loop meanwhile). */
async function storeOps(store: Store['keyv']): Promise<Row[]> {
  const record = {
    v: 1,
    address: 'term:ops',
    clientId: 'c'.repeat(36),
    sessionId: 's'.repeat(36),
    jobs: [],
    createdAt: 0,
  };
  const N = 200;
  const key = (i: number) => `bench:ops-${i % 20}`;
  let t = performance.now();
  for (let i = 0; i < N; i++) await store.set(key(i), { ...record, createdAt: i });
  const set = (performance.now() - t) / N;
  t = performance.now();
  for (let i = 0; i < N; i++) await store.get(key(i));
  const get = (performance.now() - t) / N;
  return [
    {
      bench: 'SQLite store call',
      metric: 'set / get ms',
      value: `${fmt(set, 2)} / ${fmt(get, 2)}`,
      note: `${N} each, a session-sized record; memory store calls are ~0.03 ms`,
    },
  ];
}

const rows: Row[] = [];
try {
  const memory = await createStore('memory://', { logger });
  rows.push(...(await turnSeries(memory, 'memory')));
  const sqlite = await createStore(`sqlite://${path.join(exportDir, 'b.sqlite')}`, { logger });
  rows.push(...(await turnSeries(sqlite, 'SQLite')));
  rows.push(...(await storeOps(sqlite.keyv)));
  await sqlite.close();
  rows.push(...(await clientSeries()));
  rows.push(...(await exportSeries(memory)));
  await memory.close();
} finally {
  await fake.close();
  await rm(exportDir, { recursive: true, force: true });
}
emit(rows);
