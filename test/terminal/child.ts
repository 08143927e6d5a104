import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the bot as `npm start` does (src/main.ts through tsx) as a real child process: real stdin/stdout/stderr,
// real signals, real exit codes. `node --import tsx` rather than tsx's CLI: the CLI runs the script in a
// grandchild process, so a SIGKILL would kill the wrapper and leave the bot running.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BotRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Environment without the developer's own settings leaking in (tokens, store, log level). */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
  return env;
}

export function startBot(env: Record<string, string>, stdin?: string): BotRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  if (stdin !== undefined) child.stdin?.end(stdin);
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs to the end; kills the child (and fails loudly) past `timeoutMs`. */
export async function runBot(
  env: Record<string, string>,
  stdin: string,
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startBot(env, stdin);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await run.exited;
  clearTimeout(timer);
  if (signal === 'SIGKILL') {
    throw new Error(
      `bot timed out after ${timeoutMs} ms\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`,
    );
  }
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Polls `check` every few milliseconds until it is true (a condition, not a duration). */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fast timings for a bot under test: heartbeats, polls and recovery in milliseconds. */
export const FAST_ENV = {
  HEARTBEAT_INTERVAL_MS: '200',
  RENDER_POLL_INTERVAL_MS: '30',
  RENDER_POLL_MAX: '20',
  RATE_LIMIT_RETRY_MS: '20',
  RECOVERY_FIRST_MS: '30',
  RECOVERY_EVERY_MS: '30',
  RECOVERY_CHECKS: '2',
  HTTP_TIMEOUT_MS: '3000',
  LOG_LEVEL: 'info',
};
