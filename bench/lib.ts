// Shared bits of the benchmarks: result rows, statistics, an RSS sampler, the fake NemoVideo in a child
// process (so its recorded requests never count against the bot's memory) and a light ChatPort.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nemoTimingFromConfig } from '../src/app.ts';
import { type Config, parseConfig } from '../src/config.ts';
import type { ChatPort, OutMessage, SentRef, VideoOut } from '../src/core/ports.ts';
import { createNemoClient, type NemoClient } from '../src/nemo/index.ts';
import { createLogger, type Logger, Secrets } from '../src/secrets.ts';
import type { FakeNemoOptions } from '../test/fakes/nemo/types.ts';

export const MB = 1024 * 1024;
export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One line of the results table. */
export interface Row {
  bench: string;
  metric: string;
  value: string;
  note?: string;
}

/** Rows go to the parent (bench/run.ts) as one `BENCH <json>` line on stdout. */
export function emit(rows: Row[]): void {
  process.stdout.write(`BENCH ${JSON.stringify(rows)}\n`);
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  return {
    n: s.length,
    median: at(0.5),
    p95: at(0.95),
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
  };
}

export const fmt = (n: number, digits = 1): string =>
  n >= 100_000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);

/** Samples RSS every `everyMs` until stopped; `stop()` returns the peak seen (bytes). */
export function rssSampler(everyMs = 20): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Runs `fn` until `count` runs are done or `budgetMs` has passed (at least once); returns runs and ms. */
export function timed(
  count: number,
  budgetMs: number,
  fn: (i: number) => void,
): { runs: number; ms: number } {
  const start = performance.now();
  let runs = 0;
  while (runs < count && (runs === 0 || performance.now() - start < budgetMs)) fn(runs++);
  return { runs, ms: performance.now() - start };
}

export interface FakeChild {
  url: string;
  close(): Promise<void>;
}

/** Starts test/fakes/nemo in a child process (bench/fake-child.ts) and resolves with its URL. */
export function startFakeChild(opts: Partial<FakeNemoOptions>): Promise<FakeChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/fake-child.ts'), JSON.stringify(opts)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the fake NemoVideo did not start within 20 s'));
    }, 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake NemoVideo exited early (${code})`)));
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve({ url: line.trim(), close });
      }
    });
  });
}

/** A ChatPort that only counts: the cost of a real platform is not ours to measure here. */
export interface CountingChat extends ChatPort {
  sends: number;
  edits: number;
  videos: number;
}

export function countingChat(address: string): CountingChat {
  let next = 0;
  const chat: CountingChat = {
    address,
    videoLimitBytes: 50 * MB,
    sends: 0,
    edits: 0,
    videos: 0,
    async send(_m: OutMessage): Promise<SentRef> {
      chat.sends++;
      return { id: String(++next) };
    },
    async sendPrivate(_to, m: OutMessage): Promise<SentRef> {
      return chat.send(m);
    },
    async edit(_ref: SentRef, _m: OutMessage): Promise<void> {
      chat.edits++;
    },
    async sendVideo(_v: VideoOut): Promise<void> {
      chat.videos++;
    },
  };
  return chat;
}

export interface BenchBot {
  fake: FakeChild;
  exportDir: string;
  config: Config;
  secrets: Secrets;
  logger: Logger;
  nemo: NemoClient;
}

/** The fake in a child (instant agent, no trial or credit limits) and a silent bot config and client. */
export async function benchBot(env: Record<string, string>, fakeOpts: Partial<FakeNemoOptions> = {}) {
  const fake = await startFakeChild({
    replyMs: 0,
    generateMs: 0,
    heartbeatMs: 1_000,
    tokensPerIp: 1_000_000,
    credits: { available: 1_000_000_000, frozen: 0 },
    ...fakeOpts,
  });
  const exportDir = await mkdtemp(path.join(tmpdir(), 'nemo-bench-'));
  const config = parseConfig({
    NEMO_API_URL: fake.url,
    STORE_URL: 'memory://',
    EXPORT_DIR: exportDir,
    HEARTBEAT_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    ...env,
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
  return { fake, exportDir, config, secrets, logger, nemo } satisfies BenchBot;
}
