// Team controls against the real engine, the real NemoVideo client and the fake NemoVideo, with recording
// chats (test/core/engine-harness.ts) and senders of every platform. Log lines are captured through a logger
// whose redaction registry is empty, so a secret that reaches a log line at all shows up.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import type { ChatPort, Engine, InboundMessage, Platform } from '../../src/core/ports.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore, type StatePort, type Store } from '../../src/store/index.ts';
import { FAKE_FAST, FAST, type RecordingChat, recordingChat } from '../core/engine-harness.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';

export const PROMPT = 'make a 30-second promo for my candle shop';
export const OPERATOR_TOKEN = 'nmv_usr_operator_token_0123456789abcdef';
export const KEY = Buffer.alloc(32, 7).toString('base64');

export interface TeamHarness {
  fake: FakeNemo;
  config: Config;
  store: Store;
  /** The state the engine uses (maybe a failing wrapper around the store's). */
  state: StatePort;
  secrets: Secrets;
  engine: Engine;
  logs: string[];
  /** A second engine on the same store (a restarted process). */
  restart(): Engine;
  close(): Promise<void>;
}

export async function teamHarness(
  opts: {
    env?: Record<string, string>;
    fake?: Partial<FakeNemoOptions>;
    store?: string;
    wrap?: (state: StatePort) => StatePort;
  } = {},
): Promise<TeamHarness> {
  const fake = await startFakeNemo({ ...FAKE_FAST, ...opts.fake });
  const exportDir = await mkdtemp(path.join(tmpdir(), 'team-'));
  const config = parseConfig({
    ...FAST,
    NEMO_API_URL: fake.url,
    EXPORT_DIR: exportDir,
    LOG_LEVEL: 'trace',
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
  const logger = createLogger({ level: 'trace', secrets: new Secrets(), destination });
  const store = await createStore(opts.store ?? 'memory://', { logger });
  const state = opts.wrap ? opts.wrap(store.state) : store.state;
  const engines: Engine[] = [];
  const make = () => {
    const nemo = createNemoClient({
      baseUrl: config.NEMO_API_URL,
      version: '0.0.0-test',
      secrets,
      logger,
      timing: nemoTimingFromConfig(config),
    });
    const engine = createEngine({ config, nemo, store: store.keyv, state, logger, secrets });
    engines.push(engine);
    return engine;
  };
  const engine = make();
  return {
    fake,
    config,
    store,
    state,
    secrets,
    engine,
    logs,
    restart: make,
    async close() {
      for (const e of engines) await e.close();
      await store.close();
      await fake.close();
      await rm(exportDir, { recursive: true, force: true });
    },
  };
}

/** A message from a user of a platform: `tg` (Telegram), `dc` (Discord) or `term`. */
export function from(
  chat: ChatPort,
  user: string,
  text: string,
  o: {
    admin?: boolean;
    locale?: string;
    roles?: string[];
    server?: string;
    concealed?: boolean;
    /** As a slash command or a modal carries it: no keyword routing, mentions kept. */
    command?: InboundMessage['command'];
  } = {},
): InboundMessage {
  const [prefix, id = ''] = user.split(':');
  const platform: Platform = prefix === 'tg' ? 'telegram' : prefix === 'dc' ? 'discord' : 'terminal';
  const m: InboundMessage = {
    address: chat.address,
    platform,
    sender: {
      id,
      displayName: `User ${id}`,
      isAdmin: async () => o.admin ?? false,
      ...(o.locale ? { locale: o.locale } : {}),
      ...(o.roles ? { roles: o.roles } : {}),
    },
    text,
    attachments: [],
  };
  if (o.server) m.serverId = o.server;
  if (o.concealed) m.concealed = true;
  if (o.command) m.command = o.command;
  return m;
}

/** Sends and waits until the engine is done with the message. */
export async function say(
  h: TeamHarness,
  chat: RecordingChat,
  msg: InboundMessage,
): Promise<string | undefined> {
  const before = chat.log.length;
  await h.engine.handle(msg, chat);
  await h.engine.idle();
  return chat.log.slice(before).at(-1)?.text;
}

export { type RecordingChat, recordingChat };
