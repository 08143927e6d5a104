// Agent text → Telegram sendMessage received, 500 chats at once, on the memory, SQLite and Redis stores.
// Each round: every chat sends a prompt; the fake NemoVideo holds each agent stream until all are open, then
// writes the agent's answer on every stream at the same instant; the figure is, per chat, "answer written" →
// "sendMessage fully received at the fake Telegram", p99 over the chats. The bare relay (bench/bare.ts) gets
// the same streams and the same release in the same run. Medians over ROUNDS rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@keyv/redis';
import type { AgentStream } from './fakes/nemo.ts';
import { TG_TOKEN } from './fakes/telegram.ts';
import {
  type BareProcess,
  cpuMs,
  type Fakes,
  median,
  ms,
  perTurn,
  quantile,
  quiet,
  ROUNDS,
  ratio,
  sleep,
  startBare,
  startBot,
  startFakes,
  until,
} from './harness.ts';
import { emit, type Row } from './lib.ts';

const CHATS = Number(process.env.BENCH_BURST_CHATS ?? 500);
/** Chat ids the bench alone uses (Redis keys with them are deleted afterwards). */
const BASE = 9_100_000_000;
const chats = Array.from({ length: CHATS }, (_, i) => BASE + i);
const REDIS = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (s: string) => process.stderr.write(`  burst: ${s}\n`);

interface Burst {
  p50: number;
  p99: number;
  /** Telegram connections opened between the release and the last reply. */
  connections: number;
  /** Telegram and NemoVideo calls per chat for the whole round (prompt to quiet). */
  tgCalls: string;
  nemoCalls: string;
  /** CPU ms the relaying process used per chat, prompt to quiet. */
  cpu: number;
  /** CPU of this process (the fakes) from release to the last reply, % of one core. */
  fakesCpu: number;
  /** Chats whose agent stream had not opened within 60 s (not in the figure; the note says so). */
  missing: number;
}

/** One round: `start` makes every chat open its agent stream; all answers go out at once. */
async function burst(fakes: Fakes, round: number, pid: number, start: () => void): Promise<Burst> {
  const { tg, nemo } = fakes;
  const held: AgentStream[] = [];
  const sentAt = new Map<number, number>();
  const got = new Map<number, number>();
  const marker = `take ${round}.`;
  nemo.onChat = (s) => void held.push(s);
  tg.onCall = (c) => {
    if (c.method === 'sendMessage' && c.chatId !== undefined && c.text?.includes(marker))
      got.set(c.chatId, c.at);
  };
  const tg0 = new Map(tg.counts);
  const nemo0 = new Map(nemo.counts);
  const cpu0 = cpuMs(pid);
  start();
  // A round waits at most 60 s for every stream; a chat whose stream never opened is counted, not waited for.
  await until(() => held.length >= chats.length, 60_000, 'streams').catch(() => {});
  await sleep(300);
  const tags = new Set(held.map((s) => s.tag));
  const conns = tg.connections;
  const host0 = process.cpuUsage();
  const released = performance.now();
  for (const s of held) sentAt.set(s.tag, s.answer(`Here is more about #${s.tag}, ${marker}`));
  await until(() => got.size >= tags.size, 120_000, `${tags.size} replies at Telegram`);
  const connections = tg.connections - conns;
  const host = process.cpuUsage(host0);
  const fakesCpu = (host.user + host.system) / 10 / (performance.now() - released);
  const lat = [...tags].map((c) => (got.get(c) ?? Number.NaN) - (sentAt.get(c) ?? Number.NaN));
  await quiet(() => [...tg.counts.values()].reduce((a, b) => a + b, 0));
  const cpu = (cpuMs(pid) - cpu0) / chats.length;
  nemo.onChat = (s) => void s.answer(`Reply to #${s.tag}.`);
  return {
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    connections,
    tgCalls: perTurn(tg.counts, tg0, chats.length),
    nemoCalls: perTurn(nemo.counts, nemo0, chats.length),
    cpu,
    fakesCpu,
    missing: chats.length - tags.size,
  };
}

async function storeRun(label: string, store: string, bare: BareProcess): Promise<Row[]> {
  const fakes = await startFakes();
  const bot = await startBot({ fakes, store, profileName: `burst-${label}` });
  try {
    // First turns: a NemoVideo session per chat (not measured).
    const replied = new Set<number>();
    fakes.tg.onCall = (c) => {
      if (c.method === 'sendMessage' && c.chatId !== undefined) replied.add(c.chatId);
    };
    for (const c of chats) fakes.tg.push(c, `hello there, let us start #${c}`);
    await until(() => replied.size >= chats.length, 180_000, 'first replies');
    await quiet(() => [...fakes.tg.counts.values()].reduce((a, b) => a + b, 0));
    const target = { nemo: fakes.nemo.url, tg: fakes.tg.url, token: TG_TOKEN };
    const bareBurst = async (r: number) => {
      let relayed: Promise<unknown> = Promise.resolve();
      const b = await burst(fakes, r, bare.pid, () => {
        relayed = bare.call({ cmd: 'relay', chats, round: r, ...target });
      });
      await relayed;
      return b;
    };
    await bareBurst(0); // its keep-alive connections, as the bot has from its first turns
    const bots: Burst[] = [];
    const bares: Burst[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      bots.push(
        await burst(fakes, r, bot.pid, () => {
          for (const c of chats) fakes.tg.push(c, `tell me more about #${c} take ${r}`);
        }),
      );
      bares.push(await bareBurst(r));
      log(
        `${label} round ${r}: bot p99 ${ms(bots.at(-1)?.p99 ?? 0)}, bare p99 ${ms(bares.at(-1)?.p99 ?? 0)}`,
      );
      const missing = bots.at(-1)?.missing ?? 0;
      if (missing > 0) {
        const tail = bot.log().trim().split('\n').slice(-10).join('\n');
        log(
          `${label} round ${r}: ${missing} chats had no agent stream after 60 s; the bot's log ends:\n${tail}`,
        );
      }
    }
    const p99 = median(bots.map((b) => b.p99));
    const base = median(bares.map((b) => b.p99));
    const last = bots.at(-1);
    return [
      {
        figure: `agent text → Telegram message, ${CHATS} chats at once, p99 (${label} store)`,
        bot: ms(p99),
        baseline: `${ms(base)} (bare relay)`,
        ratio: ratio(p99 / base),
        goal: label === 'memory' ? '≤ 1.2×' : label === 'SQLite' ? '≤ 1.3× of memory' : '≤ 1.2×',
        note:
          `p50 ${ms(median(bots.map((b) => b.p50)))} vs ${ms(median(bares.map((b) => b.p50)))}; ` +
          `CPU per turn ${median(bots.map((b) => b.cpu)).toFixed(2)} ms vs ${median(bares.map((b) => b.cpu)).toFixed(2)} ms; ` +
          `the fakes used ${median(bots.map((b) => b.fakesCpu)).toFixed(0)} % vs ${median(bares.map((b) => b.fakesCpu)).toFixed(0)} % of a core in the burst; ` +
          `new Telegram connections in the burst ${median(bots.map((b) => b.connections))} vs ` +
          `${median(bares.map((b) => b.connections))}; per turn: Telegram ${last?.tgCalls}; NemoVideo ${last?.nemoCalls}` +
          (bots.some((b) => b.missing > 0)
            ? `; chats with no agent stream after 60 s, per round: ${bots.map((b) => b.missing).join(', ')}`
            : ''),
      },
    ];
  } catch (e) {
    const tail = bot.log().trim().split('\n').slice(-20).join('\n');
    throw new Error(`${label} store: ${(e as Error).message}; the bot's log ends:\n${tail}`);
  } finally {
    await bot.stop();
    await fakes.close();
  }
}

/** Redis reachable? (the row is skipped, not failed, without it) */
async function redisUp(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.close();
    return true;
  } catch {
    return false;
  }
}

/** Deletes the keys the bot wrote for the bench's chats and updates (10-digit ids starting with 91). */
async function cleanRedis(url: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({
      MATCH: '*:91[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*',
      COUNT: 1000,
    }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}

const STORES = (process.env.BENCH_STORES ?? 'memory,sqlite,redis').split(',');
const rows: Row[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'nemo-bench-burst-'));
const bare = await startBare();
try {
  if (STORES.includes('memory')) rows.push(...(await storeRun('memory', 'memory://', bare)));
  if (STORES.includes('sqlite'))
    rows.push(...(await storeRun('SQLite', `sqlite://${path.join(dir, 'bot.sqlite')}`, bare)));
  if (!STORES.includes('redis')) {
    // not asked for
  } else if (await redisUp(REDIS)) {
    try {
      rows.push(...(await storeRun('Redis', REDIS, bare)));
    } finally {
      await cleanRedis(REDIS);
    }
  } else {
    rows.push({
      figure: `agent text → Telegram message, ${CHATS} chats at once, p99 (Redis store)`,
      bot: 'skipped',
      note: `no Redis at ${REDIS.replace(/\/\/[^@]*@/, '//')} (BENCH_REDIS_URL)`,
    });
  }
} finally {
  await bare.stop();
  rmSync(dir, { recursive: true, force: true });
}
emit(rows);
process.exit(0);
