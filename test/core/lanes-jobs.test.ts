import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import { Instance } from '../../src/core/instance.ts';
import type { Engine } from '../../src/core/ports.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState, type StatePort } from '../../src/store/index.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAKE_FAST, FAST, inbound, type RecordingChat, recordingChat } from './engine-harness.ts';
import { gate, until } from './lanes-contract.ts';

// Export jobs between two engines that share one store as two instances would (src/core/jobs.ts,
// src/core/render-create.ts): a job is resumed only by the one that takes its lease, its render is created
// once even when the earlier owner's create reached the backend, and an owner that stalled past its lease
// cannot post or write after a survivor took the job. (test/multi/ does the same with real processes.)

const TOKEN = 'operator-token-lanes-jobs';
const PROMPT = 'make a 30-second promo for my candle shop';
const secrets = new Secrets();
const logger = createLogger({ level: 'silent', secrets });

let fake: FakeNemo;
let dir: string;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A view of a store whose calls can be held, as a process stalled in a long pause would make none. */
function freezable(state: StatePort) {
  let frozen: ReturnType<typeof gate> | undefined;
  const view = new Proxy(state, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        while (frozen) await frozen.p;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    view,
    freeze: () => {
      frozen = gate();
    },
    thaw: () => {
      const g = frozen;
      frozen = undefined;
      g?.open();
    },
  };
}

async function setup() {
  fake = await startFakeNemo({ ...FAKE_FAST, operatorTokens: [TOKEN] });
  dir = await mkdtemp(path.join(tmpdir(), 'lanes-jobs-'));
  const state = new MemoryState();
  const keyv = new Keyv({ throwOnErrors: true });
  const config = parseConfig({
    ...FAST,
    NEMO_API_URL: fake.url,
    NEMO_TOKEN: TOKEN,
    STORE_URL: 'memory://',
    EXPORT_DIR: dir,
    INSTANCE_LEASE_MS: '300',
    INSTANCE_SWEEP_MS: '50',
    LANE_POLL_MS: '20',
  });
  const nemo = createNemoClient({
    baseUrl: fake.url,
    version: '0.0.0-test',
    secrets,
    logger,
    timing: nemoTimingFromConfig(config),
  });
  /** One instance: its engine, and the chat it reaches the shared address through. */
  async function instance(
    view: StatePort = state,
    takeovers: string[] = [],
  ): Promise<{ engine: Engine; chat: RecordingChat }> {
    const self = new Instance({
      state: view,
      shared: true,
      leaseMs: config.INSTANCE_LEASE_MS,
      logger,
      metrics: { leaseTakeover: (kind) => takeovers.push(kind), heartbeatLateness: () => {} },
    });
    await self.start();
    const engine = createEngine({ config, nemo, store: keyv, state: view, logger, secrets, instance: self });
    const chat = recordingChat('term:shared');
    engine.registerChats('term', () => chat);
    closers.push(async () => {
      await engine.close();
      await self.stop();
    });
    return { engine, chat };
  }
  return { state, keyv, nemo, instance };
}

const videos = (...chats: RecordingChat[]) => chats.flatMap((c) => c.log.filter((p) => p.kind === 'video'));

describe('export jobs across instances', () => {
  it('a job taken over in phase creating, whose render the gone owner created, is not created again', async () => {
    const s = await setup();
    const a = await s.instance();
    await a.engine.handle(inbound(a.chat, PROMPT), a.chat);
    const record = (await s.keyv.get('chat:term:shared')) as { sessionId: string };
    // A gone owner stored the job, sent the create (it reached the backend) and died before recording it.
    const account = s.nemo.account({ kind: 'operator', token: TOKEN }, { platform: 'terminal' });
    const draft = (await account.state(record.sessionId)).draft;
    if (!draft) throw new Error('no draft');
    const id = 'render_1_created_by_the_dead';
    await account.startRender({ id, sessionId: record.sessionId, draft });
    const job = {
      id,
      address: 'term:shared',
      sessionId: record.sessionId,
      phase: 'creating',
      // Recent: a job older than RENDER_KEEP_MS is given up instead.
      createdAt: Date.now(),
      lang: 'en',
    };
    await s.state.set(`job:${id}`, job);
    await s.state.addMember('jobs:pending', id);
    await s.state.acquireLease(`job:${id}`, 'a-gone-instance', 60_000);

    const takeovers: string[] = [];
    const b = await s.instance(s.state, takeovers);
    await until(() => videos(b.chat, a.chat).length === 1);
    await b.engine.idle();
    expect(takeovers).toContain('export');
    expect(fake.count('render')).toBe(1);
    expect(videos(b.chat, a.chat)).toHaveLength(1);
    expect(await s.state.members('jobs:pending')).toEqual([]);
  });

  it('an owner that stalls past its lease cannot post or write: the survivor posts once', async () => {
    const s = await setup();
    const slow = freezable(s.state);
    const a = await s.instance(slow.view);
    await a.engine.handle(inbound(a.chat, PROMPT), a.chat);
    fake.options.renderPolls = 1_000_000;
    const exporting = a.engine.handle(inbound(a.chat, 'export'), a.chat);
    await until(() => fake.count('render') === 1 && fake.count('poll') >= 1);
    slow.freeze(); // a keeps polling the backend but reaches no store: no heartbeat, no renewal
    const b = await s.instance();
    await until(() => b.chat.texts().includes(en.exportResumed));
    fake.options.renderPolls = 1; // done at the next poll, whoever polls
    await until(() => videos(b.chat).length === 1);
    slow.thaw(); // a wakes up holding nothing
    await exporting;
    await b.engine.idle();
    expect(videos(a.chat, b.chat)).toHaveLength(1);
    expect(videos(b.chat)).toHaveLength(1);
    expect(fake.count('render')).toBe(1);
    // a said nothing more about it: no error, no "done" (its last word was its progress before the stall).
    const done = en.exportDone(0).slice(0, 10); // "✅ Rendered"
    expect(a.chat.texts().filter((t) => t.startsWith(done) || t.startsWith('⚠️'))).toEqual([]);
    expect(await s.state.members('jobs:pending')).toEqual([]);
  });
});
