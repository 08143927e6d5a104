import { Writable } from 'node:stream';
import type Keyv from 'keyv';
import { afterEach, expect } from 'vitest';
import { startTelegram } from '../../src/adapters/telegram/index.ts';
import type { AdapterHandle } from '../../src/adapters/types.ts';
import { type Config, parseConfig } from '../../src/config.ts';
import type { ChatPort, ChatResolver, Engine, InboundMessage } from '../../src/core/ports.ts';
import { createHttpServer, type HttpServer } from '../../src/http.ts';
import { createLogger, type Logger, Secrets } from '../../src/secrets.ts';
import { createStore, MemoryState, type StatePort, type Store } from '../../src/store/index.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';

// Builds the real Telegram adapter (real grammY) against the fake Bot API, with either a recording engine
// (adapter-level tests) or whatever engine a test passes (the real one in the end-to-end tests).

/** Our own Engine port implementation that records what the adapter hands over. */
export class RecordingEngine implements Engine {
  readonly handled: Array<{ message: InboundMessage; chat: ChatPort }> = [];
  readonly resolvers = new Map<string, ChatResolver>();
  /** What a turn does; by default nothing. */
  turn: (message: InboundMessage, chat: ChatPort) => Promise<void> = async () => {};
  #waiters: Array<() => void> = [];

  async handle(message: InboundMessage, chat: ChatPort): Promise<void> {
    this.handled.push({ message, chat });
    for (const w of this.#waiters.splice(0)) w();
    await this.turn(message, chat);
  }
  registerChats(prefix: string, resolver: ChatResolver): void {
    this.resolvers.set(prefix, resolver);
  }
  async resume(): Promise<void> {}
  async idle(): Promise<void> {}
  working(): undefined {
    return undefined;
  }
  async close(): Promise<void> {}

  /** Resolves when `count` messages have been handed over. */
  async waitHandled(count: number, timeoutMs = 3000): Promise<InboundMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.handled.length < count) {
      if (Date.now() > deadline) throw new Error(`engine got ${this.handled.length} of ${count} messages`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.handled.map((h) => h.message);
  }
}

export interface Harness {
  tg: FakeTelegram;
  config: Config;
  secrets: Secrets;
  logger: Logger;
  /** Every log line written (unredacted: the logger has its own empty Secrets, so a leak shows). */
  logs: string[];
  store: Keyv;
  state: StatePort;
  http: HttpServer;
  httpUrl: string;
  adapter: AdapterHandle;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Build the engine once config, store and logger exist. */
  engine: (h: {
    config: Config;
    store: Keyv;
    state: StatePort;
    logger: Logger;
    secrets: Secrets;
  }) => Engine | Promise<Engine>;
  /** The store (default: memory). */
  store?: (logger: Logger) => Promise<Store>;
  editGapMs?: number;
  /** Webhook mode: TELEGRAM_WEBHOOK_URL points at the harness's own HTTP server (main's createHttpServer). */
  webhook?: boolean;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness & { engine: Engine }> {
  const tg = await startFakeTelegram();
  const http = createHttpServer(createLogger({ level: 'silent', secrets: new Secrets() }));
  const port = await http.listen(0);
  const httpUrl = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.url,
    TELEGRAM_ALBUM_WAIT_MS: '80',
    STORE_URL: 'memory://',
    LOG_LEVEL: 'debug',
    ...(opts.webhook ? { TELEGRAM_WEBHOOK_URL: `${httpUrl}/telegram/hook` } : {}),
    ...opts.env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const secrets = new Secrets();
  const logger = createLogger({ level: 'debug', secrets: new Secrets(), destination });
  const opened = await (opts.store ?? ((l) => createStore('memory://', { logger: l })))(logger);
  const { keyv: store, state } = opened;
  const engine = await opts.engine({ config, store, state, logger, secrets });
  const adapter = await startTelegram(
    { engine, config, logger, secrets, state, mount: http.mount },
    { editGapMs: opts.editGapMs ?? 0 },
  );
  return {
    tg,
    config,
    secrets,
    logger,
    logs,
    store,
    state,
    http,
    httpUrl,
    adapter,
    engine,
    async close() {
      await adapter.stop();
      await engine.close();
      await opened.close();
      await http.close();
      await tg.close();
    },
  };
}

/** Texts the bot sent or edited in a chat (every version, in order). */
export function botTexts(tg: FakeTelegram, chatId?: number): string[] {
  return tg.calls
    .filter((c) => ['sendMessage', 'editMessageText'].includes(c.method) && c.status === 200)
    .filter((c) => chatId === undefined || c.params.chat_id === chatId)
    .map((c) => String(c.params.text));
}

/** The adapter alone with a given token and API root, its log lines captured (wrong token, 409). */
export async function startHarnessWithToken(apiRoot: string, token: string, engine: RecordingEngine) {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const secrets = new Secrets();
  const config = parseConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot });
  const logger = createLogger({ level: 'debug', secrets, destination });
  const handle = await startTelegram({
    engine,
    config,
    logger,
    secrets,
    state: new MemoryState(),
    mount: () => {},
  });
  return {
    stop: () => handle.stop(),
    async waitLog(pattern: RegExp) {
      for (let i = 0; i < 60 && !logs.some((l) => pattern.test(l)); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(logs.some((l) => pattern.test(l))).toBe(true);
    },
  };
}

export type RecordingHarness = Harness & { engine: RecordingEngine };

/**
 * A starter for adapter tests: each call builds a harness with a fresh recording engine, and the one of the
 * current test is closed after it (the caller's file gets its own afterEach).
 */
export function recordingHarnesses(): (
  env?: Record<string, string>,
  opts?: Omit<HarnessOptions, 'engine' | 'env'>,
) => Promise<RecordingHarness> {
  let current: RecordingHarness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (env = {}, opts = {}) => {
    const engine = new RecordingEngine();
    current = (await startHarness({ ...opts, env, engine: () => engine })) as RecordingHarness;
    return current;
  };
}
