// "credits" turns per second with 200 chats: each chat sends "credits" again as soon as the bot's answer has
// reached the fake Telegram (a closed loop), counted over a fixed window. The baseline in the same run: raw
// credits requests per second against the same fake NemoVideo from 200 concurrent undici loops (bench/bare.ts).
// Medians over ROUNDS windows.
import {
  cpuMs,
  type Fakes,
  median,
  perTurn,
  quiet,
  ROUNDS,
  ratio,
  sleep,
  startBare,
  startBot,
  startFakes,
} from './harness.ts';
import { emit, type Row } from './lib.ts';

const CHATS = 200;
const WINDOW_MS = Number(process.env.BENCH_CREDITS_WINDOW_MS ?? 3_000);
const BASE = 9_100_000_000;
const log = (s: string) => process.stderr.write(`  credits: ${s}\n`);

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

async function botRounds(
  fakes: Fakes,
  pid: number,
): Promise<{ rates: number[]; calls: string; nemoCalls: string; cpu: number }> {
  let answered = 0;
  let running = true;
  fakes.tg.onCall = (c) => {
    if (c.method !== 'sendMessage' || c.chatId === undefined) return;
    answered++;
    if (running) fakes.tg.push(c.chatId, 'credits');
  };
  for (let i = 0; i < CHATS; i++) fakes.tg.push(BASE + i, 'credits');
  await sleep(2_000); // warm-up (JIT, connections)
  const rates: number[] = [];
  const tg0 = new Map(fakes.tg.counts);
  const nemo0 = new Map(fakes.nemo.counts);
  const first = answered;
  const cpu0 = cpuMs(pid);
  for (let r = 1; r <= ROUNDS; r++) {
    const n0 = answered;
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    rates.push(((answered - n0) * 1000) / (performance.now() - t0));
    log(`round ${r}: bot ${rate(rates.at(-1) ?? 0)}`);
  }
  const turns = answered - first;
  const cpu = (cpuMs(pid) - cpu0) / turns;
  const calls = perTurn(fakes.tg.counts, tg0, turns);
  const nemoCalls = perTurn(fakes.nemo.counts, nemo0, turns);
  running = false;
  await quiet(() => answered);
  return { rates, calls, nemoCalls, cpu };
}

const fakes = await startFakes();
const rows: Row[] = [];
const bot = await startBot({ fakes, store: 'memory://', profileName: 'credits' });
const bare = await startBare();
try {
  const { rates, calls, nemoCalls, cpu } = await botRounds(fakes, bot.pid);
  await bot.stop();
  const raw: number[] = [];
  await bare.call({ cmd: 'credits', nemo: fakes.nemo.url, concurrency: CHATS, durationMs: 1_000 }); // warm-up
  const bareCpu0 = cpuMs(bare.pid);
  let requests = 0;
  for (let r = 1; r <= ROUNDS; r++) {
    const n = await bare.call<number>({
      cmd: 'credits',
      nemo: fakes.nemo.url,
      concurrency: CHATS,
      durationMs: WINDOW_MS,
    });
    raw.push((n * 1000) / WINDOW_MS);
    requests += n;
    log(`round ${r}: raw ${rate(raw.at(-1) ?? 0)}`);
  }
  const b = median(rates);
  const base = median(raw);
  rows.push({
    figure: `"credits" turns/s, ${CHATS} chats (memory store)`,
    bot: rate(b),
    baseline: `${rate(base)} raw credits requests`,
    ratio: ratio(b / base),
    goal: '≥ 0.5×',
    note:
      `closed loop, ${WINDOW_MS / 1000} s windows; bot CPU ${cpu.toFixed(2)} ms per turn, bare ` +
      `${((cpuMs(bare.pid) - bareCpu0) / requests || 0).toFixed(3)} ms per request; ` +
      `per turn: Telegram ${calls}; NemoVideo ${nemoCalls}`,
  });
} finally {
  await bare.stop();
  await bot.stop();
  await fakes.close();
}
emit(rows);
process.exit(0);
