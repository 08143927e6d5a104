// Are the fakes the bottleneck? The same raw load (200 concurrent undici loops from bench/bare.ts, in its own
// process) against the lean fakes the bench uses and against the project's test fakes (test/fakes), which
// record every call. The lean fakes must take far more than the bot ever asks of them.
import { startFakeNemo } from '../test/fakes/nemo/server.ts';
import { startFakeTelegram } from '../test/fakes/telegram/server.ts';
import { TG_TOKEN } from './fakes/telegram.ts';
import { median, ROUNDS, startBare, startFakes } from './harness.ts';
import { emit, type Row } from './lib.ts';

const CONCURRENCY = 200;
const WINDOW_MS = 2_000;
const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

const lean = await startFakes();
const tg = await startFakeTelegram({ token: TG_TOKEN });
const nemo = await startFakeNemo({ operatorTokens: ['x'], credits: { available: 1e9, frozen: 0 } });
const bare = await startBare();
const rows: Row[] = [];
try {
  /** Requests/s, and this process's CPU per request (the fakes live here): a figure the machine's load skews less. */
  const measure = async (cmd: string, target: Record<string, string>) => {
    const args = { cmd, concurrency: CONCURRENCY, durationMs: WINDOW_MS, token: TG_TOKEN, ...target };
    await bare.call({ ...args, durationMs: 500 }); // warm-up
    const rates: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const c0 = process.cpuUsage();
      const n = await bare.call<number>(args);
      const c = process.cpuUsage(c0);
      rates.push((n * 1000) / WINDOW_MS);
      cpu.push((c.user + c.system) / n);
    }
    return { rate: median(rates), cpuUs: median(cpu) };
  };
  const show = (m: { rate: number; cpuUs: number }) =>
    `${rate(m.rate)}, ${m.cpuUs.toFixed(0)} µs CPU/request`;
  const leanTg = await measure('sends', { tg: lean.tg.url });
  const projectTg = await measure('sends', { tg: tg.url });
  const leanNemo = await measure('credits', { nemo: lean.nemo.url });
  const projectNemo = await measure('credits', { nemo: nemo.url });
  rows.push(
    {
      figure: 'fake capacity (not the bot): sendMessage at the fake Telegram',
      bot: `lean ${show(leanTg)}`,
      baseline: `test/fakes ${show(projectTg)}`,
      note: `${CONCURRENCY} concurrent raw POSTs from another process; the bench uses the lean fakes (bench/fakes)`,
    },
    {
      figure: 'fake capacity (not the bot): credits at the fake NemoVideo',
      bot: `lean ${show(leanNemo)}`,
      baseline: `test/fakes ${show(projectNemo)}`,
      note: `${CONCURRENCY} concurrent raw GETs from another process`,
    },
  );
} finally {
  await bare.stop();
  await Promise.all([lean.close(), tg.close(), nemo.close()]);
}
emit(rows);
process.exit(0);
