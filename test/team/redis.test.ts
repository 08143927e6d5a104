import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.ts';
import { FAKE_FAST } from '../core/engine-harness.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import { silentLogger, uniqueNamespace } from '../store/contract.ts';

// Two bot processes on one Redis (TEST_REDIS_URL) race for the last unit of a user's quota: exactly one job
// reaches the (shared) fake NemoVideo. Skipped when Redis is unreachable, required when CI=true.

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespaces: string[] = [];
let unreachable: string | undefined;
try {
  const probe = await createStore(url, { logger: silentLogger, namespace: uniqueNamespace('team-probe') });
  await probe.close();
} catch (err) {
  unreachable = err instanceof Error ? err.message : String(err);
}

afterAll(async () => {
  if (unreachable !== undefined) return;
  const client = createClient({ url });
  await client.connect();
  try {
    for (const ns of namespaces)
      for await (const keys of client.scanIterator({ MATCH: `${ns}:*`, COUNT: 500 }))
        if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
});

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'quota-child.ts');
const ROOT = path.resolve(path.dirname(CHILD), '../..');

function child(args: string[]) {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => proc.once('close', resolve));
  const ready = (async () => {
    while (!out.includes('ready\n')) {
      if (proc.exitCode !== null) throw new Error(`quota child exited early: ${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    ready,
    go: () => proc.stdin?.write('go\n'),
    async refused(): Promise<number> {
      const code = await exited;
      if (code !== 0) throw new Error(`quota child exited with ${code}: ${err}`);
      return Number(out.trim().split('\n').at(-1));
    },
  };
}

describe.skipIf(unreachable !== undefined && process.env.CI !== 'true')(
  'quotas across instances on Redis',
  () => {
    it('two processes, 10 messages each, 1 unit left: exactly 1 reaches NemoVideo', async () => {
      if (unreachable !== undefined) throw new Error(`Redis is required in CI: ${unreachable}`);
      const fake = await startFakeNemo(FAKE_FAST);
      const namespace = uniqueNamespace('team-quota');
      namespaces.push(namespace);
      try {
        const kids = ['7', '8'].map((tag) => child([fake.url, url, namespace, tag, '10']));
        await Promise.all(kids.map((k) => k.ready));
        for (const k of kids) k.go();
        const refused = await Promise.all(kids.map((k) => k.refused()));
        expect(fake.chats).toHaveLength(1);
        expect(refused.reduce((a, b) => a + b, 0)).toBe(19);
      } finally {
        await fake.close();
      }
    }, 60_000);
  },
);
