import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { createEngine } from '../../src/core/engine.ts';
import type { Engine } from '../../src/core/ports.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createStore } from '../../src/store/index.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';
import { botTexts, type Harness, startHarness } from './harness.ts';

// Everything real but the two platforms: grammY + the adapter + the engine + the NemoVideo client + the store,
// against the fake Bot API and the fake NemoVideo. Intervals are milliseconds so a turn takes a few dozen.

export interface E2E extends Harness {
  engine: Engine;
  nemo: FakeNemo;
  /** Every text the bot sent or edited in a chat, in order. */
  texts(chatId: number): string[];
  /** Waits until a text in the chat matches. */
  waitText(chatId: number, pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function startE2E(
  opts: { nemo?: Partial<FakeNemoOptions>; env?: Record<string, string>; webhook?: boolean } = {},
): Promise<E2E> {
  const nemo = await startFakeNemo({
    heartbeatMs: 10,
    generateMs: 60,
    replyMs: 10,
    renderPolls: 2,
    ...opts.nemo,
  });
  const exportDir = await mkdtemp(join(tmpdir(), 'tg-e2e-'));
  const h = await startHarness({
    ...(opts.webhook ? { webhook: true } : {}),
    env: {
      NEMO_API_URL: nemo.url,
      EXPORT_DIR: exportDir,
      HEARTBEAT_INTERVAL_MS: '30',
      RENDER_POLL_INTERVAL_MS: '10',
      RATE_LIMIT_RETRY_MS: '10',
      RECOVERY_FIRST_MS: '10',
      RECOVERY_EVERY_MS: '10',
      TELEGRAM_ALBUM_WAIT_MS: '60',
      ...opts.env,
    },
    store: (logger) => createStore('memory://', { logger }),
    engine: ({ config, store, state, logger, secrets }) => {
      const client = createNemoClient({
        baseUrl: config.NEMO_API_URL,
        version: '0.0.0-test',
        secrets,
        logger,
        timing: nemoTimingFromConfig(config),
      });
      return createEngine({ config, nemo: client, store, state, logger, secrets });
    },
  });
  const texts = (chatId: number) => botTexts(h.tg, chatId);
  return {
    ...h,
    nemo,
    texts,
    async waitText(chatId, pattern, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = texts(chatId).find((t) => pattern.test(t));
        if (hit !== undefined) return hit;
        if (Date.now() > deadline) {
          throw new Error(
            `no bot text matching ${pattern} in chat ${chatId}; got: ${JSON.stringify(texts(chatId))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await h.close();
      await nemo.close();
      await rm(exportDir, { recursive: true, force: true });
    },
  };
}
