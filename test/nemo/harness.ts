// The real client against the fake NemoVideo over loopback, with a capturing logger and tiny timings.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createNemoClient, type NemoClientOptions, type NemoTiming } from '../../src/nemo/index.ts';
import type { Credentials, NemoAccount, NemoClient, NemoEvent, NemoPlatform } from '../../src/nemo/types.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo, FakeNemoOptions } from '../fakes/nemo/types.ts';

export const FAST: NemoTiming = {
  httpTimeoutMs: 2_000,
  transferTimeoutMs: 5_000,
  sseTimeoutMs: 5_000,
  sseStuckMs: 5_000,
  rateLimitRetryMs: 15,
  renderPollIntervalMs: 2,
  renderPollMax: 10,
  maxUploadBytes: 8 * 1024 * 1024,
};

export interface Harness {
  fake: FakeNemo;
  client: NemoClient;
  secrets: Secrets;
  /** Every log line written so far (already redacted by the logger, as in production). */
  logs(): string;
  /** An anonymous account with a fresh client id; `saved` collects onCredentials calls. */
  anon(platform?: NemoPlatform): { account: NemoAccount; clientId: string; saved: Credentials[] };
  operator(token: string, platform?: NemoPlatform): NemoAccount;
  close(): Promise<void>;
}

export async function harness(
  fakeOpts: Partial<FakeNemoOptions> = {},
  timing: Partial<NemoTiming> = {},
  options: ClientExtras = {},
): Promise<Harness> {
  const fake = await startFakeNemo(fakeOpts);
  const { client, secrets, logs } = clientFor(fake.url, timing, options);
  return {
    fake,
    client,
    secrets,
    logs,
    anon(platform = 'terminal') {
      const clientId = randomUUID();
      const saved: Credentials[] = [];
      const account = client.account(
        { kind: 'anonymous', clientId },
        { platform, onCredentials: (c) => void saved.push(c) },
      );
      return { account, clientId, saved };
    },
    operator(token, platform = 'discord') {
      fake.options.operatorTokens.push(token);
      return client.account({ kind: 'operator', token }, { platform });
    },
    close: () => fake.close(),
  };
}

export async function collect(it: AsyncIterable<NemoEvent>): Promise<NemoEvent[]> {
  const out: NemoEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export async function caught(p: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A one-route HTTP server for shapes the fake never sends (bad JSON, silence). */
export async function rawServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Client options beyond the timing. */
export type ClientExtras = Pick<NemoClientOptions, 'maxEventChars'>;

/** The real client for `url`, with its own secrets and a capturing logger. */
export function clientFor(url: string, timing: Partial<NemoTiming> = {}, options: ClientExtras = {}) {
  const secrets = new Secrets();
  let captured = '';
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => {
    captured += c.toString('utf8');
  });
  const logger = createLogger({ level: 'trace', secrets, destination: sink });
  const client = createNemoClient({
    baseUrl: url,
    version: '9.9.9-test',
    secrets,
    logger,
    timing: { ...FAST, ...timing },
    ...options,
  });
  return { client, secrets, logs: () => captured };
}
