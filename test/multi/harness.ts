// Several real bot processes (`node --import tsx src/main.ts`) on the real Redis, in Telegram webhook mode,
// behind a load balancer that this harness plays, against the fake Bot API and one shared fake NemoVideo.
// The fake Telegram delivers each update to the balancer (and retries a failed delivery, as Telegram does);
// the balancer forwards it to the instance a test picks, or round-robin among the running ones.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { readAll } from '../fakes/body.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const OPERATOR_TOKEN = 'nemo-operator-token-for-multi-tests';
const SECRET = 'multi-instance-webhook-secret';
const HOOK_PATH = '/tg/hook';

/** Fast timings: every interval in milliseconds (the lease is what failover waits for). */
export const FAST_ENV: Record<string, string> = {
  HEARTBEAT_INTERVAL_MS: '0',
  RENDER_POLL_INTERVAL_MS: '40',
  RENDER_POLL_MAX: '1000',
  RATE_LIMIT_RETRY_MS: '20',
  RECOVERY_FIRST_MS: '50',
  RECOVERY_EVERY_MS: '50',
  HTTP_TIMEOUT_MS: '5000',
  TRANSFER_TIMEOUT_MS: '10000',
  SSE_TIMEOUT_MS: '30000',
  SSE_STUCK_MS: '30000',
  TELEGRAM_ALBUM_WAIT_MS: '50',
  INSTANCE_LEASE_MS: '1500',
  INSTANCE_SWEEP_MS: '200',
  LANE_POLL_MS: '100',
};

export const FAKE_NEMO: Partial<FakeNemoOptions> = {
  heartbeatMs: 20,
  generateMs: 150,
  replyMs: 20,
  renderPolls: 3,
  credits: { available: 1_000_000, frozen: 0 },
};

export interface BotProcess {
  name: string;
  port: number;
  instance: string;
  proc: ChildProcess;
  /** Every stderr line (pino JSON) so far. */
  lines: string[];
  exited: Promise<number | null>;
  /** SIGTERM: a graceful stop (adapters, engine, leases released). */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies where it stands. */
  kill(): Promise<number | null>;
  running(): boolean;
}

export interface Cluster {
  tg: FakeTelegram;
  nemo: FakeNemo;
  namespace: string;
  bots: BotProcess[];
  /** Which running instance gets the next update delivered by Telegram (default: round-robin). */
  route: ((update: Record<string, unknown>) => BotProcess | undefined) | undefined;
  start(name: string, env?: Record<string, string>): Promise<BotProcess>;
  /** POSTs an update straight to one instance's webhook, as a re-delivery would; answers the HTTP status. */
  post(bot: BotProcess, update: object): Promise<number>;
  /** Every text the bot sent (or last edited) in a chat, in order. */
  texts(chatId: number): string[];
  close(): Promise<void>;
}

/** Whether the Redis the multi-instance tests need is reachable (a reason when not). */
export async function redisUnavailable(): Promise<string | undefined> {
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 2_000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.close();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export async function startCluster(
  opts: { nemo?: Partial<FakeNemoOptions>; env?: Record<string, string> } = {},
): Promise<Cluster> {
  const tg = await startFakeTelegram();
  const nemo = await startFakeNemo({ ...FAKE_NEMO, operatorTokens: [OPERATOR_TOKEN], ...opts.nemo });
  const namespace = `multi-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const exportDir = await mkdtemp(path.join(tmpdir(), 'multi-exports-'));
  const bots: BotProcess[] = [];
  let turn = 0;

  const lb: Server = createServer((req, res) => {
    void balance(req).then(
      ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => lb.listen(0, '127.0.0.1', resolve));
  const lbUrl = `http://127.0.0.1:${(lb.address() as AddressInfo).port}`;

  async function balance(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const raw = await readAll(req);
    const update = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const live = bots.filter((b) => b.running());
    const target = cluster.route?.(update) ?? live[turn++ % Math.max(1, live.length)];
    if (!target?.running()) return { status: 502, body: '' };
    const r = await fetch(`http://127.0.0.1:${target.port}${HOOK_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': String(req.headers['x-telegram-bot-api-secret-token'] ?? ''),
      },
      body: raw,
    });
    return { status: r.status, body: await r.text() };
  }

  const cluster: Cluster = {
    tg,
    nemo,
    namespace,
    bots,
    route: undefined,
    async start(name, env = {}) {
      const bot = await spawnBot(name, {
        ...FAST_ENV,
        ...opts.env,
        NEMO_API_URL: nemo.url,
        NEMO_TOKEN: OPERATOR_TOKEN,
        STORE_URL: REDIS_URL,
        STORE_NAMESPACE: namespace,
        EXPORT_DIR: exportDir,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.url,
        TELEGRAM_WEBHOOK_URL: `${lbUrl}${HOOK_PATH}`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
      });
      bots.push(bot);
      return bot;
    },
    async post(bot, update) {
      const r = await fetch(`http://127.0.0.1:${bot.port}${HOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });
      await r.arrayBuffer();
      return r.status;
    },
    texts(chatId) {
      return tg.sent(chatId).map((m) => m.text ?? m.caption ?? `[${m.kind}]`);
    },
    async close() {
      await Promise.all(bots.filter((b) => b.running()).map((b) => b.kill()));
      lb.closeAllConnections();
      await new Promise<void>((resolve) => lb.close(() => resolve()));
      await tg.close();
      await nemo.close();
      await rm(exportDir, { recursive: true, force: true });
      await dropNamespace(namespace);
    },
  };
  return cluster;
}

/** Deletes every key of a test namespace (and only those) from the test Redis. */
async function dropNamespace(namespace: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}

/** Starts one bot and resolves once its webhook is registered (it then takes updates). */
async function spawnBot(name: string, env: Record<string, string>): Promise<BotProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let port = 0;
  let instance = '';
  let started = false;
  // MULTI_LOG_DIR=<dir> keeps each instance's log in a file, to read after a failure.
  const logDir = process.env.MULTI_LOG_DIR;
  const logFile = logDir
    ? createWriteStream(path.join(logDir, `${env.STORE_NAMESPACE}-${name}.log`))
    : undefined;
  proc.stderr?.on('data', (chunk: Buffer) => {
    logFile?.write(chunk);
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const entry = parseLine(line);
      if (entry?.msg === 'http server listening' && typeof entry.port === 'number') port = entry.port;
      if (entry?.msg === 'instance started' && typeof entry.instance === 'string') instance = entry.instance;
      if (entry?.msg === 'telegram bot started') started = true;
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => {
    code = c;
  });
  const deadline = Date.now() + 30_000;
  while (!started) {
    if (code !== undefined) throw new Error(`bot ${name} exited (${code}) at start:\n${lines.join('\n')}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`bot ${name} did not start:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const bot: BotProcess = {
    name,
    port,
    instance,
    proc,
    lines,
    exited,
    running: () => code === undefined,
    async stop() {
      if (code === undefined) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (code === undefined) proc.kill('SIGKILL');
      return exited;
    },
  };
  return bot;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function waitUntil(
  what: string,
  pred: () => boolean | Promise<boolean>,
  ms = 20_000,
  every = 20,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
