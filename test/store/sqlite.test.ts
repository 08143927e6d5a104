import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createStore, StoreError } from '../../src/store/index.ts';
import { openSqlite } from '../../src/store/sqlite-file.ts';
import { ROOT, startBot, until } from '../terminal/child.ts';
import { silentLogger, storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nemo-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every store of this process on one file shares one connection (one process per file: see sqlite-file.ts).
const file = join(dir, 'contract.sqlite');
const openShared = (namespace: string) =>
  createStore(`sqlite://${file}`, { logger: silentLogger, namespace });
storeContract({ name: 'sqlite', open: openShared, shared: true });

const open = (path: string, namespace = 'nemo') =>
  createStore(`sqlite://${path}`, { logger: silentLogger, namespace });

describe('sqlite store', () => {
  it('creates the parent directories and keeps values across close and reopen', async () => {
    const path = join(dir, 'nested', 'deeper', 'bot.sqlite');
    const a = await open(path);
    await a.keyv.set('session:tg:42', { sessionId: 's-1', lang: 'zh', note: '你好' });
    await a.keyv.set('brief', 'gone soon', 20);
    expect(await a.state.setIfAbsent('update:5', 1, 60_000)).toBe(true);
    await a.state.addMember('jobs', 'job-1');
    const lease = await a.state.acquireLease('job-1', 'first-process', 60_000);
    await a.close();
    await a.close(); // twice is harmless
    // A clean close leaves neither the lock nor the owner record behind.
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.owner`)).toBe(false);

    const b = await open(path);
    try {
      expect(await b.keyv.get('session:tg:42')).toEqual({ sessionId: 's-1', lang: 'zh', note: '你好' });
      expect(await b.state.setIfAbsent('update:5', 1, 60_000)).toBe(false);
      expect(await b.state.members('jobs')).toEqual(['job-1']);
      expect(await b.state.leaseHolder('job-1')).toEqual({ owner: 'first-process', token: lease?.token });
      await new Promise((r) => setTimeout(r, 40));
      expect(await b.keyv.get('brief')).toBeUndefined();
    } finally {
      await b.close();
    }
  });

  it('runs in WAL mode with the file lock held, and names its owner', async () => {
    const path = join(dir, 'wal.sqlite');
    const handle = await openSqlite(path, silentLogger);
    try {
      expect(handle.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(handle.db.get('PRAGMA locking_mode')).toEqual({ locking_mode: 'exclusive' });
      expect(existsSync(`${path}.lock`)).toBe(true);
      expect(JSON.parse(readFileSync(`${path}.owner`, 'utf8'))).toMatchObject({
        pid: process.pid,
        host: hostname(),
      });
    } finally {
      handle.close();
    }
  });

  it('two stores on one file in one process share the connection: they see each other and stay atomic', async () => {
    const path = join(dir, 'shared.sqlite');
    const [a, b] = await Promise.all([open(path), open(path)]); // opened at the same time, too
    try {
      await a.keyv.set('x', 1);
      expect(await b.keyv.get('x')).toBe(1);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).state.setIfAbsent('post:job-1', i, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      // Closing one leaves the other working.
      await a.close();
      await expect(a.keyv.get('x')).rejects.toMatchObject({ code: 'store_closed' });
      expect(await b.keyv.get('x')).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an operation after close rejects with store_closed', async () => {
    const s = await open(join(dir, 'closed.sqlite'));
    await s.close();
    await expect(s.keyv.get('x')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(s.keyv.set('x', 1)).rejects.toBeInstanceOf(StoreError);
    await expect(s.state.setIfAbsent('x', 1, 1000)).rejects.toMatchObject({ code: 'store_closed' });
    await expect(s.state.acquireLease('x', 'me', 1000)).rejects.toMatchObject({ code: 'store_closed' });
  });

  it('a lock with no owner record (an older version killed mid-statement) is removed once it is old', async () => {
    const path = join(dir, 'orphan.sqlite');
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    const s = await open(path);
    try {
      await s.keyv.set('k', 'v');
      expect(await s.keyv.get('k')).toBe('v');
    } finally {
      await s.close();
    }
  });

  it('a lock whose owner pid now belongs to another process (a reused pid) is taken over at once', async () => {
    const path = join(dir, 'reused.sqlite');
    mkdirSync(`${path}.lock`);
    // This very pid, but a start time it never had: the owner that wrote this record is gone.
    writeFileSync(`${path}.owner`, JSON.stringify({ pid: process.pid, host: hostname(), start: '1' }));
    const s = await open(path);
    try {
      expect(await s.state.setIfAbsent('k', 1, 1000)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a lock held from another host is refused while its record is fresh, taken over once abandoned', async () => {
    const path = join(dir, 'remote.sqlite');
    mkdirSync(`${path}.lock`);
    writeFileSync(`${path}.owner`, JSON.stringify({ pid: 1, host: 'another-host', start: '1' }));
    await expect(open(path)).rejects.toMatchObject({
      code: 'store_in_use',
      message: expect.stringContaining('pid 1 on another-host'),
    });
    // Its owner refreshes the record every 10 s; one untouched for a minute is a machine that is gone.
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.owner`, old, old);
    const s = await open(path);
    try {
      expect(await s.state.setIfAbsent('k', 1, 1000)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a path that cannot be a file fails with store_open_failed', async () => {
    const path = join(dir, 'is-a-dir');
    mkdirSync(path);
    await expect(open(path)).rejects.toMatchObject({ code: 'store_open_failed' });
  });

  it('rejects an unknown scheme or an empty path with store_bad_url', async () => {
    await expect(createStore('sqlite://', { logger: silentLogger })).rejects.toMatchObject({
      code: 'store_bad_url',
    });
    await expect(createStore('postgres://db/x', { logger: silentLogger })).rejects.toMatchObject({
      code: 'store_bad_url',
    });
  });
});

// One process per file, with real processes: a second live one is refused with one clear line; a SIGKILLed
// holder's lock is taken over at once by the next process, which finds everything the holder committed.
const HOLDER = join(fileURLToPath(new URL('.', import.meta.url)), 'sqlite-holder.ts');
const IN_USE =
  /another bot process \(pid \d+\) is using .+ — use a different STORE_URL, or Redis for several instances/;

describe('sqlite store: one process per file', () => {
  const kids: ChildProcess[] = [];
  afterEach(() => {
    for (const k of kids.splice(0)) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
  });

  /** Starts a holder and resolves once it has the file (or rejects with its stderr when it exits first). */
  async function holder(url: string) {
    const proc = spawn(process.execPath, ['--import', 'tsx', HOLDER, url, 'nemo'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    kids.push(proc);
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      proc.once('close', (code, signal) => r({ code, signal })),
    );
    await until(() => out.includes('ready\n') || proc.exitCode !== null, 15_000, 'the holder');
    return { proc, exited, stderr: () => err, ready: out.includes('ready\n') };
  }

  it('a second process is refused with one clear line while the first runs', async () => {
    const path = join(dir, 'two.sqlite');
    const first = await holder(`sqlite://${path}`);
    expect(first.ready).toBe(true);
    const second = await holder(`sqlite://${path}`);
    expect(second.ready).toBe(false);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/^store_in_use: /);
    expect(second.stderr()).toMatch(IN_USE);
    expect(second.stderr()).toContain(`pid ${first.proc.pid}`);
    // In this process too, and the first one keeps the file.
    await expect(open(path)).rejects.toMatchObject({
      code: 'store_in_use',
      message: expect.stringMatching(IN_USE),
    });
    first.proc.stdin?.end();
    expect((await first.exited).code).toBe(0);
    const s = await open(path);
    try {
      expect(await s.keyv.get('held')).toBe(first.proc.pid);
    } finally {
      await s.close();
    }
  }, 40_000);

  it('the real bot refuses a file another process holds: the line on stderr, exit code 1', async () => {
    const path = join(dir, 'bot.sqlite');
    const first = await holder(`sqlite://${path}`);
    expect(first.ready).toBe(true);
    const bot = startBot(
      { STORE_URL: `sqlite://${path}`, EXPORT_DIR: join(dir, 'exports'), LOG_LEVEL: 'silent' },
      '',
    );
    kids.push(bot.child);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const lines = bot.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nemo-video-bot: /);
    expect(lines[0]).toMatch(IN_USE);
  }, 40_000);

  it('after SIGKILL of the holder the next process takes the file over at once, with all it committed', async () => {
    const path = join(dir, 'killed.sqlite');
    const first = await holder(`sqlite://${path}`);
    expect(first.ready).toBe(true);
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // What a killed process leaves: its lock, its owner record, its write-ahead log.
    expect(existsSync(`${path}.lock`)).toBe(true);
    expect(existsSync(`${path}.owner`)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(true);

    const second = await holder(`sqlite://${path}`);
    expect(second.ready, second.stderr()).toBe(true);
    second.proc.stdin?.end();
    expect((await second.exited).code).toBe(0);
    const s = await open(path);
    try {
      expect(await s.state.get(`by:${first.proc.pid}`)).toBe(1);
      expect(await s.state.get(`by:${second.proc.pid}`)).toBe(1);
      expect(await s.keyv.get('held')).toBe(second.proc.pid);
    } finally {
      await s.close();
    }
  }, 40_000);
});
