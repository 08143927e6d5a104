// 1,000 and 5,000 open turns: every chat's agent stream is held open by the fake NemoVideo (SSE heartbeats every
// 5 s) while the bot sends "⏳ Still working..." every HEARTBEAT_INTERVAL_MS. Once all streams are open and one
// interval has passed, a window of WINDOW_MS is watched at the fake Telegram: heartbeat lateness (gap to the chat's previous heartbeat,
// or to its stream opening, minus the interval; p99) and the chats that missed one (a gap over twice the
// interval, or none for that long before the window ends). Peak RSS (VmHWM) of the bot process against the bare
// relay (bench/bare.ts) holding the same streams with the same heartbeats. A fresh process per round.
import { TG_TOKEN } from './fakes/telegram.ts';
import {
  cpuMs,
  type Fakes,
  median,
  ms,
  peakRssMb,
  perTurn,
  quantile,
  ROUNDS,
  sleep,
  startBare,
  startBot,
  startFakes,
  until,
} from './harness.ts';
import { emit, fmt, type Row } from './lib.ts';

const SIZES = (process.env.BENCH_OPEN_SIZES ?? '1000,5000').split(',').map(Number);
const INTERVAL_MS = Number(process.env.BENCH_HEARTBEAT_MS ?? 2_000);
const WINDOW_MS = Number(process.env.BENCH_OPEN_WINDOW_MS ?? 3 * INTERVAL_MS);
/** After the last stream opened, one interval passes before the window (its first heartbeat wave). */
const SETTLE_MS = INTERVAL_MS;
/** Prompts arrive spread over this long (not all in one millisecond), so heartbeats are spread as in real use. */
const rampMs = (n: number) => Math.max(INTERVAL_MS, n / 2);
/** A round waits at most this long for every stream to open; the window starts then anyway (and says so). */
const SETUP_CAP_MS = Number(process.env.BENCH_OPEN_SETUP_MS ?? 20_000);
const BASE = 9_100_000_000;
const log = (s: string) => process.stderr.write(`  open turns: ${s}\n`);

interface Watch {
  late: number[];
  missed: number;
  rssMb: number;
  /** Telegram connections opened during the window. */
  connections: number;
  calls: string;
  setupMs: number;
  /** Streams open when the window started. */
  open: number;
  /** CPU ms of the relaying process per heartbeat in the window. */
  cpu: number;
  /** CPU of this process (the fakes) during the window, % of one core: near 100 would make the fakes the limit. */
  fakesCpu: number;
}

function hostPercent(since: NodeJS.CpuUsage, ms: number): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 10 / ms;
}

/** Calls `each(i)` for 0…n-1 spread evenly over `spanMs`, in 20 ms slices. */
async function spread(n: number, spanMs: number, each: (i: number) => void): Promise<void> {
  const slices = Math.max(1, Math.round(spanMs / 20));
  for (let s = 0; s < slices; s++) {
    const from = Math.floor((s * n) / slices);
    const to = Math.floor(((s + 1) * n) / slices);
    for (let i = from; i < to; i++) each(i);
    await sleep(20);
  }
}

/** Records heartbeat arrivals and stream openings until `stop`; then scores the window. */
function watcher(fakes: Fakes) {
  const beats = new Map<number, number[]>();
  const opened = new Map<number, number>();
  fakes.nemo.onChat = (s) => void opened.set(s.tag, s.opened);
  fakes.tg.onCall = (c) => {
    if (c.chatId === undefined) return;
    const beat =
      c.method === 'editMessageText' || (c.method === 'sendMessage' && c.text?.startsWith('⏳') === true);
    if (!beat) return;
    const list = beats.get(c.chatId);
    if (list) list.push(c.at);
    else beats.set(c.chatId, [c.at]);
  };
  return {
    opened: () => opened.size,
    score(chats: number[], w0: number, w1: number) {
      const late: number[] = [];
      let missed = 0;
      let count = 0;
      for (const c of chats) {
        let prev = opened.get(c) ?? w0;
        let miss = false;
        for (const t of beats.get(c) ?? []) {
          if (t > w1) break;
          if (t >= w0) {
            late.push(t - prev - INTERVAL_MS);
            count++;
            if (t - prev > 2 * INTERVAL_MS) miss = true;
          }
          prev = t;
        }
        if (w1 - prev > 2 * INTERVAL_MS) miss = true;
        if (miss) missed++;
      }
      return { late, missed, count };
    },
  };
}

async function botRound(n: number, r: number): Promise<Watch> {
  const fakes = await startFakes();
  const w = watcher(fakes);
  const bot = await startBot({
    fakes,
    store: 'memory://',
    env: { HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS) },
    profileName: `open-${n}-${r}`,
  });
  try {
    const chats = Array.from({ length: n }, (_, i) => BASE + i);
    const t0 = performance.now();
    await spread(n, rampMs(n), (i) => fakes.tg.push(BASE + i, `make a long video about #${BASE + i}`));
    await until(() => w.opened() >= n, SETUP_CAP_MS, `${n} open agent streams`).catch(() => {});
    const setupMs = performance.now() - t0;
    await sleep(SETTLE_MS);
    const open = w.opened();
    const conns = fakes.tg.connections;
    const counts = new Map(fakes.tg.counts);
    const cpu0 = cpuMs(bot.pid);
    const host0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(WINDOW_MS);
    const w1 = performance.now();
    const cpu = cpuMs(bot.pid) - cpu0;
    const fakesCpu = hostPercent(host0, w1 - w0);
    const rssMb = peakRssMb(bot.pid);
    const { late, missed, count } = w.score(chats, w0, w1);
    return {
      late,
      missed,
      rssMb,
      connections: fakes.tg.connections - conns,
      calls: perTurn(fakes.tg.counts, counts, Math.max(1, count)),
      setupMs,
      open,
      cpu: cpu / Math.max(1, count),
      fakesCpu,
    };
  } finally {
    await bot.stop({ kill: !process.env.BENCH_PROFILE_DIR });
    await fakes.close();
  }
}

async function bareRound(n: number): Promise<Watch> {
  const fakes = await startFakes();
  const w = watcher(fakes);
  const bare = await startBare();
  try {
    const chats = Array.from({ length: n }, (_, i) => BASE + i);
    const t0 = performance.now();
    const targets = { nemo: fakes.nemo.url, tg: fakes.tg.url, token: TG_TOKEN };
    await bare.call({ cmd: 'hold', chats, intervalMs: INTERVAL_MS, rampMs: rampMs(n), ...targets });
    const setupMs = performance.now() - t0;
    await sleep(SETTLE_MS);
    const open = w.opened();
    const conns = fakes.tg.connections;
    const counts = new Map(fakes.tg.counts);
    const cpu0 = cpuMs(bare.pid);
    const host0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(WINDOW_MS);
    const w1 = performance.now();
    const cpu = cpuMs(bare.pid) - cpu0;
    const fakesCpu = hostPercent(host0, w1 - w0);
    const rssMb = peakRssMb(bare.pid);
    await bare.call({ cmd: 'release' });
    const { late, missed, count } = w.score(chats, w0, w1);
    return {
      late,
      missed,
      rssMb,
      connections: fakes.tg.connections - conns,
      calls: perTurn(fakes.tg.counts, counts, Math.max(1, count)),
      setupMs,
      open,
      cpu: cpu / Math.max(1, count),
      fakesCpu,
    };
  } finally {
    await bare.stop();
    await fakes.close();
  }
}

const rows: Row[] = [];
for (const n of SIZES) {
  const bots: Watch[] = [];
  const bares: Watch[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    bots.push(await botRound(n, r));
    bares.push(await bareRound(n));
    const [b, x] = [bots.at(-1), bares.at(-1)];
    log(
      `${n} round ${r}: bot RSS ${fmt(b?.rssMb ?? 0, 0)} MB, p99 late ${ms(quantile(b?.late ?? [], 0.99))}, missed ${b?.missed}; ` +
        `bare RSS ${fmt(x?.rssMb ?? 0, 0)} MB, p99 late ${ms(quantile(x?.late ?? [], 0.99))}, missed ${x?.missed}`,
    );
  }
  const med = (ws: Watch[], f: (w: Watch) => number) => median(ws.map(f));
  const p99 = (w: Watch) => quantile(w.late, 0.99);
  const label = n.toLocaleString('en-US');
  rows.push(
    {
      figure: `${label} open turns: peak RSS`,
      bot: `${fmt(
        med(bots, (w) => w.rssMb),
        0,
      )} MB`,
      baseline: `${fmt(
        med(bares, (w) => w.rssMb),
        0,
      )} MB (bare relay)`,
      ratio: `${(med(bots, (w) => w.rssMb) / med(bares, (w) => w.rssMb)).toFixed(2)}×`,
      goal: n >= 5000 ? '≤ 400 MB' : '—',
      note:
        `${fmt(
          med(bots, (w) => w.open),
          0,
        )} of ${label} streams open at the window (bare ${fmt(
          med(bares, (w) => w.open),
          0,
        )}), ` +
        `after ${ms(med(bots, (w) => w.setupMs))} vs ${ms(med(bares, (w) => w.setupMs))} (prompts spread over ${ms(rampMs(n))}; ` +
        `a round waits at most ${ms(SETUP_CAP_MS)})`,
    },
    {
      figure: `${label} open turns: heartbeat lateness p99; chats that missed a heartbeat`,
      bot: `${ms(med(bots, p99))}; ${fmt(
        med(bots, (w) => w.missed),
        0,
      )}`,
      baseline: `${ms(med(bares, p99))}; ${fmt(
        med(bares, (w) => w.missed),
        0,
      )}`,
      goal: '≤ 50 ms; 0',
      note:
        `interval ${INTERVAL_MS / 1000} s, ${WINDOW_MS / 1000} s window; new Telegram connections in the window ` +
        `${fmt(
          med(bots, (w) => w.connections),
          0,
        )} vs ${fmt(
          med(bares, (w) => w.connections),
          0,
        )}; ` +
        `CPU per heartbeat ${med(bots, (w) => w.cpu).toFixed(2)} ms vs ${med(bares, (w) => w.cpu).toFixed(2)} ms; ` +
        `the fakes used ${fmt(
          med(bots, (w) => w.fakesCpu),
          0,
        )} % vs ${fmt(
          med(bares, (w) => w.fakesCpu),
          0,
        )} % of a core; ` +
        `calls per heartbeat: ${bots.at(-1)?.calls} (bare: ${bares.at(-1)?.calls})`,
    },
  );
}
emit(rows);
process.exit(0);
