import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelegramHandle } from '../../src/adapters/telegram/index.ts';
import { frontCheckedFetch, retryUnprocessed } from '../../src/adapters/telegram/retry.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram/server.ts';
import { recordingHarnesses } from './harness.ts';

// Telegram's platform faults against the fake Bot API, with real grammY in the real adapter:
// - 409 Conflict on getUpdates (another instance still polling during a deploy): polling goes on with backoff,
//   reported as not polling meanwhile, and updates arrive afterwards;
// - a 502 page from Telegram's front: the call never reached the Bot API and is sent again (a reply, a video
//   from its file on disk); a call that may have been processed is not.

const start = recordingHarnesses();
const FAST = { TELEGRAM_CONFLICT_RETRY_MS: '20', TELEGRAM_RETRY_MS: '10' };

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let dir: string | undefined;
let lone: FakeTelegram | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await lone?.close();
  dir = lone = undefined;
});

describe('409 Conflict on getUpdates', () => {
  it('polling goes on with backoff, unhealthy meanwhile; the bot receives updates afterwards', async () => {
    const { tg, engine, adapter, logs } = await start(FAST);
    const handle = adapter as TelegramHandle;
    const ann = tg.user(7);
    const chat = tg.privateChat(ann);
    tg.sendText(chat, ann, 'before');
    await engine.waitHandled(1);
    expect(handle.isPolling()).toBe(true);

    // Another instance polls: every new poll is refused with 409.
    tg.switches.conflict(Number.POSITIVE_INFINITY);
    tg.sendText(chat, ann, 'during the conflict');
    // Reported as not polling (for a readiness check) while Telegram refuses the polls; tried again meanwhile.
    await until(() => !handle.isPolling(), 'polling reported down');
    await until(() => tg.switches.conflictsServed >= 3, 'polls tried again after 409');
    expect(handle.isPolling()).toBe(false);

    // The old instance is gone. Before: grammY's bot.start had rejected on the first 409 and the bot stayed
    // deaf for good (while /healthz said 200).
    tg.switches.conflict(0);
    tg.sendText(chat, ann, 'after the conflict');
    const handled = await engine.waitHandled(3);
    expect(handled.map((m) => m.text)).toEqual(['before', 'during the conflict', 'after the conflict']);
    await until(() => handle.isPolling(), 'polling again');
    expect(logs.some((l) => /409 Conflict/.test(l))).toBe(true);
  });
});

describe('a 502 page from Telegram’s front', () => {
  it('a reply is sent again and arrives once', async () => {
    const { tg, engine } = await start(FAST);
    engine.turn = async (_m, chat) => {
      await chat.send({ text: 'the agent’s reply' });
    };
    tg.switches.frontError('sendMessage', 1, 502);
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    await until(() => tg.sent(7).length === 1, 'the reply');
    expect(tg.sent(7).map((m) => m.text)).toEqual(['the agent’s reply']);
    expect(tg.switches.refusedByFront.map((c) => c.method)).toEqual(['sendMessage']);
    expect(tg.calls.filter((c) => c.method === 'sendMessage' && c.status === 200)).toHaveLength(1);
  });

  it('a video is sent again from its file on disk, byte for byte', async () => {
    const { tg, engine } = await start(FAST);
    dir = await mkdtemp(join(tmpdir(), 'tg-502-'));
    const file = join(dir, 'render.mp4');
    const bytes = Buffer.alloc(300_000, 7);
    await writeFile(file, bytes);
    let sent: Promise<void> | undefined;
    engine.turn = async (_m, chat) => {
      sent = chat.sendVideo({ path: file, url: 'https://example.com/v.mp4', caption: 'v', linkText: 'link' });
      await sent;
    };
    tg.switches.frontError('sendVideo', 1, 503);
    const ann = tg.user(8);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    await until(() => sent !== undefined, 'the send');
    await sent;
    const videos = tg.calls.filter((c) => c.method === 'sendVideo' && c.status === 200);
    expect(videos).toHaveLength(1);
    expect(videos[0]?.files.video?.bytes.equals(bytes)).toBe(true);
    expect(tg.switches.refusedByFront).toHaveLength(1);
  });

  it('a call cut after it was sent is not sent again (it may have been processed)', async () => {
    lone = await startFakeTelegram();
    const api = clientFor(lone.url, lone.token, 10);
    const held = lone.switches.hold('sendMessage');
    const sending = api.sendMessage(7, 'maybe delivered');
    await held;
    await lone.close(); // the connection breaks after the request was written
    await expect(sending).rejects.toThrow();
    expect(lone.switches.held).toHaveLength(1);
    lone = undefined;
  });

  it('a call refused before it was written (connection refused) is sent again', async () => {
    const port = await freePort();
    const api = clientFor(
      `http://127.0.0.1:${port}`,
      '123456789:AAHfakeTelegramTokenForTests_abcdefghij',
      10,
      async () => {
        if (!lone) {
          lone = await startFakeTelegram({}, port); // Telegram is reachable by the second attempt
          lone.privateChat(lone.user(7)); // a user who pressed Start: the bot may write to them
        }
      },
    );
    await api.sendMessage(7, 'hello');
    expect(lone?.sent(7).map((m) => m.text)).toEqual(['hello']);
  });
});

/** A grammY client with the adapter's fetch and re-send rule (as the adapter installs them). */
function clientFor(apiRoot: string, token: string, delayMs: number, onRetry?: () => Promise<void>): Api {
  const api = new Api(token, { apiRoot, fetch: frontCheckedFetch as never });
  const logger = createLogger({ level: 'silent', secrets: new Secrets() });
  api.config.use(
    retryUnprocessed({ firstDelayMs: delayMs, attempts: 3, logger, ...(onRetry && { onRetry }) }),
  );
  return api;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
