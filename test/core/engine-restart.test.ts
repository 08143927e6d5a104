import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import type { Engine } from '../../src/core/ports.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore } from '../../src/store/index.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { FAKE_FAST, FAST, inbound, recordingChat } from './engine-harness.ts';

// A chat's session survives a restart: a second process on the same SQLite FILE (everything closed in
// between: store, engine, client) continues the same NemoVideo session with the same trial token.

let fake: FakeNemo;
let dir: string;
beforeEach(async () => {
  fake = await startFakeNemo(FAKE_FAST);
  dir = await mkdtemp(path.join(tmpdir(), 'engine-restart-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function boot(): Promise<{ engine: Engine; stop(): Promise<void> }> {
  const config = parseConfig({
    ...FAST,
    NEMO_API_URL: fake.url,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    EXPORT_DIR: dir,
  });
  const secrets = new Secrets();
  const logger = createLogger({ level: 'silent', secrets });
  const store = await createStore(config.STORE_URL, { logger });
  const nemo = createNemoClient({
    baseUrl: config.NEMO_API_URL,
    version: '0.0.0-test',
    secrets,
    logger,
    timing: nemoTimingFromConfig(config),
  });
  const engine = createEngine({ config, nemo, store: store.keyv, state: store.state, logger, secrets });
  return {
    engine,
    async stop() {
      await engine.close();
      await store.close();
    },
  };
}

it('keeps the session, its token and its timeline across a restart on a real SQLite file', async () => {
  const first = await boot();
  const chat1 = recordingChat('tg:42');
  await first.engine.handle(inbound(chat1, 'make a 30-second promo for my candle shop'), chat1);
  expect(chat1.texts()).toContain(en.connecting);
  await first.stop();

  const second = await boot();
  const chat2 = recordingChat('tg:42');
  await second.engine.handle(inbound(chat2, 'add upbeat music'), chat2);
  await second.engine.handle(inbound(chat2, 'status'), chat2);
  await second.stop();

  // One token, one session: the second process reused both, said no "Connecting…", lost no timeline.
  expect(fake.count('token')).toBe(1);
  expect(fake.count('session')).toBe(1);
  expect(chat2.texts()).not.toContain(en.connecting);
  expect(new Set(fake.chats.map((c) => c.sessionId)).size).toBe(1);
  expect(chat2.texts().at(-1)).toMatch(/^Timeline \(\d+ tracks\)/);
});
