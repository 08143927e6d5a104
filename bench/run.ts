// `npm run bench [-- <upload MB>]`: runs each benchmark in its own process (a clean heap per measurement,
// every fake on 127.0.0.1 in a child of it), prints one markdown table and writes bench/results.md with the
// machine's facts. Figures are measured, never asserted: the run fails only when a benchmark breaks.
//
// The end-to-end rows run the REAL bot (`node --import tsx src/main.ts`, Telegram mode) against lean fakes
// (bench/fakes) and compare it with bare baselines (bench/bare.ts, curl) run in the same invocation. Knobs:
//   BENCH_ROUNDS=3            measured rounds per figure (medians are reported)
//   BENCH_REDIS_URL=redis://… the Redis row's server (else TEST_REDIS_URL, else 127.0.0.1:6379; skipped if down);
//                             the bot writes its keys there and the bench deletes them afterwards
//   BENCH_STORES=memory,sqlite,redis   BENCH_OPEN_SIZES=1000,5000   BENCH_HEARTBEAT_MS=2000
//   BENCH_PROFILE_DIR=<dir>   every bot process runs with --cpu-prof into <dir>/<row>/; read them with
//                             `npx tsx bench/profile.ts <dir>/<row>` (where the busy time went)
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, type Row } from './lib.ts';

interface Part {
  file: string;
  args?: string[];
  /** Turns the process's stdout into rows (default: the `BENCH <json>` lines of lib.ts `emit`). */
  parse?: (stdout: string) => Row[];
  timeoutMs: number;
}

/** bench/upload-memory.ts prints one human line per case; its figures become rows here. */
function parseUpload(stdout: string): Row[] {
  const cases = new Map<string, { rate: string; growth: string; note: string }>();
  const re =
    /^(.+?): (\d+) MB in ([\d.]+) s \((\d+) MB\/s\), RSS (\d+) → peak (\d+) MB, growth ([-\d.]+) MB, peak ArrayBuffers ([\d.]+) MB/;
  let size = '';
  for (const line of stdout.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const [, label = '', mb = '', secs, rate = '', base, peak, growth = '', buffers] = m;
    size = mb;
    cases.set(label, {
      rate,
      growth,
      note: `${secs} s, RSS ${base} → ${peak} MB, ArrayBuffers ${buffers} MB`,
    });
  }
  const drained = [...cases.entries()].find(([label]) => label.startsWith('baseline'))?.[1];
  return [...cases.entries()]
    .filter(([label]) => !label.startsWith('baseline'))
    .map(([label, c]) => ({
      figure: `${size} MB upload to NemoVideo, ${label} (client in-process)`,
      bot: `${c.rate} MB/s, RSS +${c.growth} MB`,
      baseline: drained ? `${drained.rate} MB/s (the source drained to nowhere)` : '—',
      ratio: drained ? `${(Number(c.rate) / Number(drained.rate)).toFixed(2)}×` : '—',
      goal: '< 64 MB RSS growth',
      note: c.note,
    }));
}

const PARTS: Part[] = [
  { file: 'burst.ts', timeoutMs: 900_000 },
  { file: 'mp4.ts', timeoutMs: 180_000 },
  { file: 'credits.ts', timeoutMs: 120_000 },
  { file: 'open-turns.ts', timeoutMs: 1_200_000 },
  { file: 'sqlite.ts', timeoutMs: 120_000 },
  { file: 'fakes-check.ts', timeoutMs: 90_000 },
  { file: 'upload-memory.ts', args: process.argv.slice(2, 3), parse: parseUpload, timeoutMs: 90_000 },
  { file: 'parse.ts', timeoutMs: 30_000 },
];

function parseEmitted(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('BENCH '))
    .flatMap((l) => JSON.parse(l.slice('BENCH '.length)) as Row[]);
}

/** Runs one part in its own process group (so a timeout also stops its fake server) and collects its rows. */
function runPart(part: Part): Promise<{ rows: Row[]; ok: boolean; secs: number }> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', part.file), ...(part.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, part.timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      const secs = (performance.now() - t0) / 1000;
      let rows: Row[] = [];
      try {
        rows = (part.parse ?? parseEmitted)(out);
      } catch (e) {
        process.stderr.write(`${part.file}: unreadable output: ${String(e)}\n`);
      }
      const ok = code === 0 && !timedOut && rows.length > 0;
      if (!ok) {
        const why = timedOut
          ? `timed out after ${part.timeoutMs / 1000} s`
          : `exit ${code}, ${rows.length} rows`;
        process.stderr.write(`${part.file}: ${why}\n${out}`);
        rows.push({ figure: part.file, bot: 'FAILED', note: why });
      }
      resolve({ rows, ok, secs });
    });
  });
}

const cell = (s: string | undefined): string => (s ?? '').replace(/\|/g, '\\|');

/** A padded markdown table, laid out as biome formats it (so `npm run lint` passes on results.md). */
function table(rows: Row[]): string {
  const head = ['Figure', 'Bot', 'Bare baseline, same run', 'Ratio', 'Goal', 'Notes'];
  const body = rows.map((r) =>
    [r.figure, r.bot, r.baseline ?? '', r.ratio ?? '', r.goal ?? '', r.note ?? ''].map(cell),
  );
  const len = (s: string) => [...s].length;
  const widths = head.map((h, i) => Math.max(len(h), ...body.map((r) => len(r[i] ?? ''))));
  const pad = (s: string, i: number) => s + ' '.repeat((widths[i] ?? 0) - len(s));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w) => '-'.repeat(w));
  return [line(head), `| ${rule.join(' | ')} |`, ...body.map(line)].join('\n');
}

const started = performance.now();
const rows: Row[] = [];
let failed = 0;
for (const part of PARTS) {
  process.stderr.write(`bench: ${part.file}…\n`);
  const r = await runPart(part);
  process.stderr.write(`bench: ${part.file} done in ${r.secs.toFixed(1)} s\n`);
  rows.push(...r.rows);
  if (!r.ok) failed++;
}
const total = (performance.now() - started) / 1000;

const cpus = os.cpus();
const facts = [
  `- Date: ${new Date().toISOString()}`,
  `- Node ${process.version} on ${os.platform()} ${os.release()} (${os.arch()})`,
  `- CPU: ${cpus.length} cores × ${cpus[0]?.model.trim() ?? 'unknown'}; available parallelism ${os.availableParallelism()}`,
  `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')} (1/5/15 min, at the end: other work on the machine skews the figures)`,
  `- Whole run: ${total.toFixed(1)} s; every server a fake on 127.0.0.1, in a child process of the benchmark`,
];
const md = table(rows);
process.stdout.write(`${md}\n\n${facts.join('\n')}\n`);
await writeFile(
  path.join(ROOT, 'bench', 'results.md'),
  `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.ts); measured, not asserted.\n\n${facts.join('\n')}\n\n${md}\n`,
);
process.exit(failed ? 1 : 0);
