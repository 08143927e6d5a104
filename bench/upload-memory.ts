// `npx tsx bench/upload-memory.ts [MB]`: uploads a generated stream (default 200 MB, never held in memory) to
// the fake NemoVideo and prints the peak RSS growth of this process. The fake runs in a child process,
// since it keeps the received bytes in memory and would otherwise count against us. Target: < 64 MB growth.
// Run with NODE_OPTIONS=--expose-gc for a GC before each measurement.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createNemoClient } from '../src/nemo/index.ts';
import { createLogger, Secrets } from '../src/secrets.ts';

const MB = 1024 * 1024;

if (process.argv.includes('--serve')) {
  const { startFakeNemo } = await import('../test/fakes/nemo/server.ts');
  const fake = await startFakeNemo({ maxUploadBytes: 4096 * MB });
  process.stdout.write(`${fake.url}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
} else {
  await main();
}

function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, self, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve({ child, url: d.toString().trim() }));
  });
}

/** A stream of `total` bytes made on demand, 64 KiB at a time. */
function generated(total: number, web: boolean): ReadableStream<Uint8Array> | Readable {
  const CHUNK = 64 * 1024;
  let sent = 0;
  const next = (): Buffer | null => {
    if (sent >= total) return null;
    const n = Math.min(CHUNK, total - sent);
    sent += n;
    return Buffer.alloc(n, sent & 0xff);
  };
  if (web) {
    return new ReadableStream<Uint8Array>({
      pull(c) {
        const b = next();
        if (b) c.enqueue(b);
        else c.close();
      },
    });
  }
  return new Readable({
    read() {
      this.push(next());
    },
  });
}

async function drain(r: Readable): Promise<unknown[]> {
  for await (const _ of r) await new Promise((res) => setImmediate(res));
  return [];
}

async function main(): Promise<void> {
  const sizeMb = Number(process.argv[2] ?? 200) || 200;
  const total = sizeMb * MB;
  const { child, url } = await startChild();
  const secrets = new Secrets();
  const client = createNemoClient({
    baseUrl: url,
    version: 'bench',
    secrets,
    logger: createLogger({ level: 'warn', secrets }),
    timing: {
      httpTimeoutMs: 30_000,
      transferTimeoutMs: 600_000,
      sseTimeoutMs: 60_000,
      sseStuckMs: 60_000,
      rateLimitRetryMs: 1_000,
      renderPollIntervalMs: 1_000,
      renderPollMax: 10,
      maxUploadBytes: total + MB,
    },
  });
  try {
    const account = client.account({ kind: 'anonymous', clientId: randomUUID() }, { platform: 'terminal' });
    const s = await account.createSession('en');
    // Warm up: the first upload loads code paths and grows the heap to its working size (not per-byte costs).
    await account.upload(s.sessionId, { name: 'warm.mp4', size: 64 * MB, stream: generated(64 * MB, false) });
    for (const [label, web, withSize] of [
      ['Node Readable, size known', false, true],
      ['web ReadableStream, size unknown', true, false],
      ['baseline: the generator drained to nowhere', false, true],
    ] as const) {
      (globalThis as { gc?: () => void }).gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      let buffers = 0;
      const timer = setInterval(() => {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss);
        buffers = Math.max(buffers, m.arrayBuffers);
      }, 20);
      const started = Date.now();
      // The baseline shows what the generated chunks alone cost before GC collects them.
      const files = label.startsWith('baseline')
        ? await drain(generated(total, web) as Readable)
        : await account.upload(s.sessionId, {
            name: 'big.mp4',
            ...(withSize ? { size: total } : {}),
            stream: generated(total, web),
          });
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      const secs = (Date.now() - started) / 1000;
      const growth = (peak - base) / MB;
      process.stdout.write(
        `${label}: ${sizeMb} MB in ${secs.toFixed(1)} s (${(sizeMb / secs).toFixed(0)} MB/s), ` +
          `RSS ${(base / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB, growth ${growth.toFixed(1)} MB, ` +
          `peak ArrayBuffers ${(buffers / MB).toFixed(1)} MB ` +
          `${growth < 64 ? 'OK (< 64 MB)' : 'OVER TARGET'} — ${files.length} file(s) accepted\n`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}
