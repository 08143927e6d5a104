import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { createClient } from '@keyv/redis';
import { createHealth, type Health } from '../../src/health.ts';
import { createHttpServer, type HttpOptions, type HttpServer } from '../../src/http.ts';
import { createLogger, type Logger, Secrets } from '../../src/secrets.ts';
import type { StatePort } from '../../src/store/index.ts';

// Shared by the /healthz, /readyz and /metrics tests: the real server on 127.0.0.1:0, a logger whose lines a
// test can read, and a TCP relay in front of the real Redis that a test can pause or cut.

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

export interface Captured {
  logger: Logger;
  lines: string[];
  secrets: Secrets;
}

/** A trace-level logger; `lines` holds what left the process (redacted with `secrets`, like main's). */
export function captureLogs(secrets = new Secrets()): Captured {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', secrets, destination }), lines, secrets };
}

export interface Served {
  http: HttpServer;
  url: string;
  close(): Promise<void>;
}

export async function serve(logger: Logger, opts: HttpOptions = {}): Promise<Served> {
  const http = createHttpServer(logger, opts);
  const port = await http.listen(0);
  return { http, url: `http://127.0.0.1:${port}`, close: () => http.close() };
}

export function healthOver(state: StatePort, cap: Captured, storeTimeoutMs = 300): Health {
  return createHealth({
    probeStore: () => state.get('health:probe'),
    storeTimeoutMs,
    logger: cap.logger,
    secrets: cap.secrets,
  });
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const uniqueNamespace = (tag: string) => `test-http-${tag}-${randomUUID().slice(0, 8)}`;

/** Deletes every key of `namespace` in the test database (and nothing else). */
export async function dropNamespace(namespace: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}

/**
 * A TCP relay to the real Redis. `pause()` holds every byte from Redis back (a stalled server: commands get no
 * answer), `resume()` delivers them; `cut()` drops every connection and refuses new ones (Redis gone).
 */
export interface RedisRelay {
  url: string;
  pause(): void;
  resume(): void;
  cut(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisRelay(target = REDIS_URL): Promise<RedisRelay> {
  const t = new URL(target);
  const pipes = new Set<{ client: net.Socket; upstream: net.Socket; held: Buffer[] }>();
  let paused = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(t.port || 6379), t.hostname);
    const pipe = { client, upstream, held: [] as Buffer[] };
    pipes.add(pipe);
    client.pipe(upstream);
    // By hand, not pipe(): a piped stream may resume by itself when its destination drains.
    upstream.on('data', (chunk: Buffer) => (paused ? pipe.held.push(chunk) : client.write(chunk)));
    const end = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const p of pipes) {
        p.client.destroy();
        p.upstream.destroy();
      }
      server.close(() => resolve());
    });
  return {
    url: `redis://127.0.0.1:${port}${t.pathname}`,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const p of pipes) for (const chunk of p.held.splice(0)) p.client.write(chunk);
    },
    cut: close,
    close,
  };
}
