import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { type BotRun, startBot, until } from '../terminal/child.ts';
import { FaultChat } from './chat.ts';
import { TcpFront } from './front.ts';
import { cleanRedis, type StoreKind } from './redis.ts';

// One fault scenario's world: the fake Bot API, the fake NemoVideo behind a TCP front (for outages), a store
// (a real SQLite file, or the real Redis), and the real bot process (`node --import tsx src/main.ts`, what
// `npm start` runs) in Telegram mode, started, killed and restarted on that same store.

export const OPERATOR_TOKEN = 'nmv_operator_faults_0123456789abcdef';

/** Every interval in milliseconds, so a scenario takes seconds. The poll budget (20 s) outlasts a 10 s outage. */
export const FAULT_ENV: Record<string, string> = {
  HEARTBEAT_INTERVAL_MS: '1000',
  RENDER_POLL_INTERVAL_MS: '50',
  RENDER_POLL_MAX: '400',
  RATE_LIMIT_RETRY_MS: '50',
  RECOVERY_FIRST_MS: '50',
  RECOVERY_EVERY_MS: '50',
  RECOVERY_CHECKS: '2',
  HTTP_TIMEOUT_MS: '3000',
  TRANSFER_TIMEOUT_MS: '10000',
  TELEGRAM_ALBUM_WAIT_MS: '50',
  PORT: '0',
  LOG_LEVEL: 'info',
};

/** How long the supervisor keeps restarting a bot that exits at startup (a stale SQLite lock lasts 30 s). */
const SUPERVISOR_MS = 40_000;

export interface WorldOptions {
  store: StoreKind;
  nemo?: Partial<FakeNemoOptions>;
  env?: Record<string, string>;
}

export class World {
  /** Every bot process of this world, oldest first. */
  readonly runs: BotRun[] = [];
  readonly chats: FaultChat[] = [];
  /** Why bot processes refused to start (exited during startup), in order. */
  readonly refusals: string[] = [];
  #nextUser = 1;

  private constructor(
    readonly tg: FakeTelegram,
    readonly nemo: FakeNemo,
    readonly front: TcpFront,
    readonly dir: string,
    readonly storeUrl: string,
    readonly opts: WorldOptions,
  ) {}

  static async open(opts: WorldOptions): Promise<World> {
    const nemo = await startFakeNemo({
      heartbeatMs: 20,
      generateMs: 80,
      replyMs: 10,
      renderPolls: 1,
      operatorTokens: [OPERATOR_TOKEN],
      ...opts.nemo,
    });
    const front = await TcpFront.start(nemo.url);
    const tg = await startFakeTelegram();
    const dir = await mkdtemp(path.join(tmpdir(), 'bot-faults-'));
    let storeUrl = `sqlite://${path.join(dir, 'bot.sqlite')}`;
    if (opts.store === 'redis') storeUrl = await cleanRedis();
    return new World(tg, nemo, front, dir, storeUrl, opts);
  }

  /** The process running now (the last one started). */
  get bot(): BotRun {
    const run = this.runs.at(-1);
    if (!run) throw new Error('no bot started');
    return run;
  }

  env(): Record<string, string> {
    return {
      ...FAULT_ENV,
      TELEGRAM_BOT_TOKEN: this.tg.token,
      TELEGRAM_API_ROOT: this.tg.url,
      NEMO_API_URL: this.front.url,
      NEMO_TOKEN: OPERATOR_TOKEN,
      STORE_URL: this.storeUrl,
      EXPORT_DIR: path.join(this.dir, 'exports'),
      ...this.opts.env,
    };
  }

  /**
   * Starts a bot process and waits until it polls Telegram. Like a supervisor, a process that exits during
   * startup is started again a second later (up to `SUPERVISOR_MS`); each refusal is kept in `refusals`.
   */
  async start(): Promise<BotRun> {
    const deadline = Date.now() + SUPERVISOR_MS;
    for (;;) {
      const run = startBot(this.env());
      this.runs.push(run);
      const n = this.runs.length;
      try {
        await until(
          () => /"msg":"telegram bot started"/.test(run.stderr()) || run.child.exitCode !== null,
          30_000,
          `bot #${n} to start polling`,
        );
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${this.logs()}`);
      }
      if (run.child.exitCode === null) return run;
      const why = run.stderr().trim().split('\n').at(-1) ?? `exit ${run.child.exitCode}`;
      this.refusals.push(why.replace(/\/tmp\/\S+/g, '<store>'));
      if (Date.now() > deadline)
        throw new Error(`the bot did not come back within ${SUPERVISOR_MS} ms\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** The bot's health check port (PORT=0: whatever it bound). */
  healthUrl(): string {
    const port = /"port":(\d+),"msg":"http server listening"/.exec(this.bot.stderr())?.[1];
    if (!port) throw new Error('the bot did not log its HTTP port');
    return `http://127.0.0.1:${port}/healthz`;
  }

  /** Sends `signal` to the running bot (now, synchronously: a kill lands where the trigger fired). */
  signal(signal: NodeJS.Signals): void {
    if (this.bot.child.exitCode === null && this.bot.child.signalCode === null) this.bot.child.kill(signal);
  }

  /** Kills or stops the running bot and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: string | null }> {
    this.signal(signal);
    return this.bot.exited;
  }

  /** A user in a private chat with the bot. */
  chat(lang = 'en'): FaultChat {
    const chat = new FaultChat(this, this.#nextUser++, lang);
    this.chats.push(chat);
    return chat;
  }

  /** When the bot last did anything a user or the backend could see (not counting long polls). */
  lastActivity(): number {
    let last = 0;
    for (const c of this.tg.calls) if (c.method !== 'getUpdates' && c.at > last) last = c.at;
    for (const r of this.nemo.requests) if (r.at > last) last = r.at;
    return last;
  }

  /**
   * Waits until things settle: every chat in `expecting` has a video and nothing happened for `quietMs`
   * (so a late duplicate still shows), or nothing happened for `giveUpMs` (a lost video stays lost).
   */
  async settle(expecting: FaultChat[], quietMs = 800, giveUpMs = 6000, timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const idle = Date.now() - Math.max(this.lastActivity(), start);
      if (idle >= quietMs && expecting.every((c) => c.videos() > 0)) return;
      if (idle >= giveUpMs || Date.now() - start > timeoutMs) return;
    }
  }

  /** The bots' logs, for a failure message (the last lines of each run). */
  logs(lines = 25): string {
    return this.runs
      .map(
        (r, i) =>
          `--- bot #${i + 1} stderr (last ${lines} lines):\n${r.stderr().split('\n').slice(-lines).join('\n')}`,
      )
      .join('\n');
  }

  async close(): Promise<void> {
    for (const run of this.runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exited;
    }
    await this.tg.close();
    await this.front.close();
    await this.nemo.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
