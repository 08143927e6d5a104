// The engine against the fake NemoVideo over loopback, with the real client, a memory (or given) store and a
// small recording ChatPort: our own port implemented for tests, not a library mock.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Keyv from 'keyv';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import type {
  Attachment,
  ButtonAction,
  ChatPort,
  CommandName,
  Engine,
  InboundMessage,
  OutMessage,
  SentRef,
  VideoOut,
} from '../../src/core/ports.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore, type StatePort } from '../../src/store/index.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';

export interface Posted {
  /** `private`: delivered to one person only (sendPrivate). */
  kind: 'send' | 'edit' | 'video' | 'private';
  id: string;
  text: string;
  buttons?: ButtonAction[];
  private?: boolean;
  ephemeral?: boolean;
  video?: VideoOut;
  /** The bytes of `video.path` at the moment sendVideo was called. */
  bytes?: Buffer;
}

export interface RecordingChat extends ChatPort {
  readonly log: Posted[];
  /** Texts of sends and edits, in order. */
  texts(): string[];
  /** Resolves once `pred` holds (polled), or rejects after `ms`. */
  waitFor(pred: (log: Posted[]) => boolean, ms?: number): Promise<void>;
}

export function recordingChat(
  address = 'term:test',
  videoLimitBytes = Number.POSITIVE_INFINITY,
): RecordingChat {
  const log: Posted[] = [];
  let next = 0;
  const entry = (kind: Posted['kind'], id: string, m: OutMessage): Posted => {
    const p: Posted = { kind, id, text: m.text };
    if (m.buttons) p.buttons = m.buttons;
    if (m.private) p.private = true;
    if (m.ephemeral) p.ephemeral = true;
    return p;
  };
  return {
    address,
    videoLimitBytes,
    log,
    async send(m: OutMessage): Promise<SentRef> {
      const id = String(++next);
      log.push(entry('send', id, m));
      return { id };
    },
    async edit(ref: SentRef, m: OutMessage): Promise<void> {
      log.push(entry('edit', ref.id, m));
    },
    // A test chat reaches everyone privately (the terminal's rule); platforms are tested on their fakes.
    async sendPrivate(_to, m: OutMessage): Promise<SentRef> {
      const id = String(++next);
      log.push(entry('private', id, m));
      return { id };
    },
    async sendVideo(video: VideoOut): Promise<void> {
      // What a platform would show: the caption with a file, the core's link notice without one.
      const text = video.path ? (video.caption ?? '') : video.linkText;
      const p: Posted = { kind: 'video', id: String(++next), text, video };
      if (video.path) p.bytes = await readFile(video.path);
      log.push(p);
    },
    texts: () => log.filter((p) => p.kind !== 'video').map((p) => p.text),
    async waitFor(pred, ms = 5_000) {
      const until = Date.now() + ms;
      while (!pred(log)) {
        if (Date.now() > until) throw new Error(`timed out; chat log:\n${log.map((p) => p.text).join('\n')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

export function inbound(
  chat: ChatPort,
  text: string,
  opts: {
    locale?: string;
    command?: CommandName;
    arg?: string;
    attachments?: Attachment[];
    isAdmin?: boolean;
  } = {},
): InboundMessage {
  const m: InboundMessage = {
    address: chat.address,
    platform: 'terminal',
    sender: { id: 'u1', displayName: 'Tester', isAdmin: async () => opts.isAdmin ?? true },
    text,
    attachments: opts.attachments ?? [],
  };
  if (opts.locale) m.sender.locale = opts.locale;
  if (opts.command) m.command = opts.arg ? { name: opts.command, arg: opts.arg } : { name: opts.command };
  return m;
}

/** Fast defaults: milliseconds everywhere, heartbeats off unless a test sets them. */
export const FAST: Record<string, string> = {
  HEARTBEAT_INTERVAL_MS: '0',
  RENDER_POLL_INTERVAL_MS: '5',
  RENDER_POLL_MAX: '50',
  RATE_LIMIT_RETRY_MS: '5',
  RECOVERY_FIRST_MS: '10',
  RECOVERY_EVERY_MS: '10',
  RECOVERY_CHECKS: '5',
  HTTP_TIMEOUT_MS: '5000',
  TRANSFER_TIMEOUT_MS: '5000',
  SSE_TIMEOUT_MS: '10000',
  SSE_STUCK_MS: '10000',
  LOG_LEVEL: 'silent',
};

export const FAKE_FAST: Partial<FakeNemoOptions> = {
  heartbeatMs: 5,
  generateMs: 40,
  replyMs: 5,
  renderPolls: 2,
};

export interface Harness {
  fake: FakeNemo;
  config: Config;
  /** The sessions' Keyv. */
  store: Keyv;
  state: StatePort;
  secrets: Secrets;
  engine: Engine;
  exportDir: string;
  /** A second engine on the same store and backend (a restarted process). */
  restart(env?: Record<string, string>): Engine;
  close(): Promise<void>;
}

export async function harness(
  opts: {
    fake?: Partial<FakeNemoOptions>;
    env?: Record<string, string>;
    /** The state store the engines get (e.g. one that fails on demand); `state` stays the real one. */
    wrapState?: (state: StatePort) => StatePort;
  } = {},
): Promise<Harness> {
  const fake = await startFakeNemo({ ...FAKE_FAST, ...opts.fake });
  const exportDir = await mkdtemp(path.join(tmpdir(), 'engine-exports-'));
  const build = (env: Record<string, string> = {}) => {
    const config = parseConfig({
      ...FAST,
      NEMO_API_URL: fake.url,
      STORE_URL: 'memory://',
      EXPORT_DIR: exportDir,
      ...opts.env,
      ...env,
    });
    return config;
  };
  const config = build();
  const secrets = new Secrets();
  const logger = createLogger({ level: config.LOG_LEVEL, secrets });
  const opened = await createStore('memory://', { logger });
  const { keyv: store, state } = opened;
  const engines: Engine[] = [];
  const make = (cfg: Config): Engine => {
    const nemo = createNemoClient({
      baseUrl: cfg.NEMO_API_URL,
      version: '0.0.0-test',
      secrets,
      logger,
      timing: nemoTimingFromConfig(cfg),
    });
    const engineState = opts.wrapState ? opts.wrapState(state) : state;
    const engine = createEngine({ config: cfg, nemo, store, state: engineState, logger, secrets });
    engines.push(engine);
    return engine;
  };
  const engine = make(config);
  return {
    fake,
    config,
    store,
    state,
    secrets,
    engine,
    exportDir,
    restart: (env) => make(build(env)),
    async close() {
      for (const e of engines) await e.close();
      await opened.close();
      await fake.close();
      await rm(exportDir, { recursive: true, force: true });
    },
  };
}
