import Keyv from 'keyv';
import { type DiscordOptions, startDiscord } from '../../src/adapters/discord/index.ts';
import type { AdapterDeps, AdapterHandle } from '../../src/adapters/types.ts';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import type { ChatPort, ChatResolver, Engine, InboundMessage } from '../../src/core/ports.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, type Logger, Secrets } from '../../src/secrets.ts';
import { MemoryState, type StatePort } from '../../src/store/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/server.ts';
import type { FakeDiscordOptions } from '../fakes/discord/types.ts';

// Runs the real adapter (real discord.js) against the fake Discord, with any engine: a scripted one for
// adapter tests, the real engine for end-to-end tests.

export type Script = (msg: InboundMessage, chat: ChatPort) => Promise<void>;

/** An Engine whose turns are a test's script; records what it was handed. */
export class ScriptedEngine implements Engine {
  readonly received: Array<{ msg: InboundMessage; chat: ChatPort; at: number }> = [];
  readonly resolvers = new Map<string, ChatResolver>();
  constructor(public script: Script = async () => {}) {}
  async handle(msg: InboundMessage, chat: ChatPort): Promise<void> {
    this.received.push({ msg, chat, at: Date.now() });
    await this.script(msg, chat);
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
}

export interface Harness {
  fake: FakeDiscord;
  handle: AdapterHandle;
  deps: AdapterDeps;
  logs: string[];
  close(): Promise<void>;
}

export interface EngineParts {
  config: Config;
  logger: Logger;
  secrets: Secrets;
  store: Keyv;
  state: StatePort;
}

export async function startHarness(opts: {
  engine: Engine | ((parts: EngineParts) => Engine);
  fake?: Partial<FakeDiscordOptions>;
  adapter?: DiscordOptions;
  env?: Record<string, string>;
  fakeDiscord?: FakeDiscord;
  /** Serves the adapter's HTTP paths (HTTP interactions); by default they go nowhere. */
  mount?: AdapterDeps['mount'];
  /** A state port shared with other adapters (several instances); by default a fresh MemoryState. */
  state?: StatePort;
  health?: AdapterDeps['health'];
}): Promise<Harness> {
  const fake = opts.fakeDiscord ?? (await startFakeDiscord(opts.fake));
  const logs: string[] = [];
  const secrets = new Secrets();
  const config = parseConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.url,
    STORE_URL: 'memory://',
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const logger = createLogger({
    level: 'debug',
    secrets,
    destination: {
      write: (s: string) => {
        // DEBUG_LOGS=1 shows the bot's log lines while a test is being debugged.
        if (process.env.DEBUG_LOGS) process.stderr.write(s);
        logs.push(s);
      },
    } as unknown as NodeJS.WritableStream,
  });
  const store = new Keyv();
  const state = opts.state ?? new MemoryState();
  const engine =
    typeof opts.engine === 'function' ? opts.engine({ config, logger, secrets, store, state }) : opts.engine;
  const deps: AdapterDeps = {
    engine,
    config,
    logger,
    secrets,
    state,
    mount: opts.mount ?? (() => {}),
    ...(opts.health ? { health: opts.health } : {}),
  };
  const handle = await startDiscord(deps, { readyTimeoutMs: 5_000, ...opts.adapter });
  return {
    fake,
    handle,
    deps,
    logs,
    async close() {
      await handle.stop();
      await engine.close();
      await fake.close();
    },
  };
}

/** The real engine and NemoVideo client, wired as src/app.ts wires them (for end-to-end tests). */
export const realEngine = ({ config, logger, secrets, store, state }: EngineParts): Engine =>
  createEngine({
    config,
    logger,
    secrets,
    store,
    state,
    nemo: createNemoClient({
      baseUrl: config.NEMO_API_URL,
      version: '0.0.0-test',
      secrets,
      logger,
      timing: nemoTimingFromConfig(config),
    }),
  });
