// What the end-to-end benchmarks share: the lean fakes in this process (one clock for "sent by the agent" and
// "received by Telegram"), the REAL bot as `npm start` runs it (node --import tsx src/main.ts, Telegram mode)
// in a child process, and the bare baseline relay (bench/bare.ts) in another, driven over IPC.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LeanNemo } from './fakes/nemo.ts';
import { LeanTelegram, TG_TOKEN } from './fakes/telegram.ts';
import { ROOT } from './lib.ts';

export const NEMO_TOKEN = 'nmv_bench_operator_token_0123456789';
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Fakes {
  tg: LeanTelegram;
  nemo: LeanNemo;
  close(): Promise<void>;
}

export async function startFakes(opts: { heartbeatMs?: number; mp4Bytes?: number } = {}): Promise<Fakes> {
  const tg = new LeanTelegram();
  const nemo = new LeanNemo();
  if (opts.heartbeatMs !== undefined) nemo.heartbeatMs = opts.heartbeatMs;
  if (opts.mp4Bytes !== undefined) nemo.mp4Bytes = opts.mp4Bytes;
  await Promise.all([tg.listen(), nemo.listen()]);
  return { tg, nemo, close: async () => void (await Promise.all([tg.close(), nemo.close()])) };
}

/** Polls `check` until true; throws `what` after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Waits until `count()` has not changed for `quietMs` (the bot finished what the last step started). */
export async function quiet(count: () => number, quietMs = 300, timeoutMs = 30_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  let last = count();
  let since = performance.now();
  while (performance.now() - since < quietMs && performance.now() < end) {
    await sleep(20);
    const now = count();
    if (now !== last) [last, since] = [now, performance.now()];
  }
}

/** Peak resident set size of a process (VmHWM), in MB; NaN where /proc is missing. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms; NaN where /proc is missing. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

export interface BotProcess {
  pid: number;
  /** SIGTERM (SIGKILL with `kill`: the measurement is taken, a graceful stop would only cost time), then
   * SIGKILL after 10 s; resolves with the exit code. */
  stop(opts?: { kill?: boolean }): Promise<number | null>;
  /** The bot's stderr (its pino log) so far. */
  log(): string;
}

export interface BotOptions {
  fakes: Fakes;
  store: string;
  env?: Record<string, string>;
  /** Writes V8 CPU profiles (`--cpu-prof`, one per thread: tsx's loader runs on its own) into
   * BENCH_PROFILE_DIR/<name>/ when BENCH_PROFILE_DIR is set; bench/profile.ts reads them. */
  profileName?: string;
}

/** The real bot, as `npm start` runs it, against the fakes; resolves once it long-polls. */
export async function startBot(opts: BotOptions): Promise<BotProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nemo-bench-bot-'));
  const logFile = path.join(dir, 'bot.log');
  const fd = openSync(logFile, 'w');
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const prof =
    profileDir && opts.profileName
      ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, opts.profileName)]
      : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_API_ROOT: opts.fakes.tg.url,
      NEMO_API_URL: opts.fakes.nemo.url,
      NEMO_TOKEN,
      STORE_URL: opts.store,
      EXPORT_DIR: path.join(dir, 'exports'),
      PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  let exit: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exit = code;
      resolve(code);
    }),
  );
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async ({ kill = false } = {}) => {
    if (exit === undefined) {
      child.kill(kill ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    return exit ?? null;
  };
  try {
    await until(() => opts.fakes.tg.polls > 0 || exit !== undefined, 60_000, 'the bot to start polling');
    if (exit !== undefined) throw new Error(`exited with ${exit}`);
  } catch (e) {
    const tail = log().split('\n').slice(-15).join('\n');
    await stop();
    throw new Error(`the bot did not start (${(e as Error).message}):\n${tail}`);
  }
  return { pid: child.pid ?? 0, stop, log };
}

export interface BareProcess {
  pid: number;
  call<T = unknown>(cmd: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** The bare baseline relay (bench/bare.ts) in its own process, so its memory and CPU are its own. */
export async function startBare(): Promise<BareProcess> {
  const child = fork(path.join(ROOT, 'bench', 'bare.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`bare relay: ${m.error}`));
    else p?.resolve(m.result);
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`bare relay exited (${code})`));
    pending.clear();
  });
  const call = <T>(cmd: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...cmd });
    });
  await call({ cmd: 'ping' });
  return {
    pid: child.pid ?? 0,
    call,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** The q-quantile (0…1) of `xs`, nearest rank. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}

export const median = (xs: number[]) => quantile(xs, 0.5);

/** BENCH_ROUNDS (default 3) measured rounds per figure. */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** "12 ms" / "1,234 ms" */
export const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
export const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)}×` : '—');

/** Calls per method between two snapshots of a fake's counters, divided by `per`. */
export function perTurn(after: Map<string, number>, before: Map<string, number>, per: number): string {
  const parts: string[] = [];
  for (const [method, n] of after) {
    const d = n - (before.get(method) ?? 0);
    if (d > 0 && method !== 'getUpdates') parts.push(`${method} ${(d / per).toFixed(2)}`);
  }
  return parts.join(', ');
}
