import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease, StatePort, Store } from '../../src/store/index.ts';
import { sharedStateContract } from './state-contract-shared.ts';

// The state port's contract (src/store/state.ts), run against every backend by contract.ts.

export interface StateTarget {
  name: string;
  open(namespace: string): Promise<Store>;
  /** Two stores opened with one namespace see the same data (a file, a server); memory:// does not. */
  shared: boolean;
  uniqueNamespace(tag: string): string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function stateContract(target: StateTarget): void {
  sharedStateContract(target);
  describe(`state port contract: ${target.name}`, () => {
    const opened: Store[] = [];
    let state: StatePort;
    let second: StatePort;
    /** Every test gets keys of its own, so nothing needs clearing between tests. */
    let n = 0;
    const k = (name: string) => `${name}-${++n}`;

    beforeAll(async () => {
      const ns = target.uniqueNamespace(`${target.name}-state`);
      const a = await target.open(ns);
      opened.push(a);
      state = a.state;
      // A second connection on the same data where the backend has one (file, server), else the same one.
      const b = target.shared ? await target.open(ns) : a;
      if (b !== a) opened.push(b);
      second = b.state;
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('values: get, set, overwrite, delete; JSON round-trips', async () => {
      const key = k('v');
      expect(await state.get(key)).toBeUndefined();
      const value = {
        chat: 'tg:-100:7',
        title: '帮我做一个视频 🎬',
        list: [1, 2.5, null, { deep: ['导出'] }],
      };
      await state.set(key, value);
      expect(await second.get(key)).toEqual(value);
      await state.set(key, 0);
      expect(await state.get(key)).toBe(0);
      await state.set(key, false);
      expect(await state.get(key)).toBe(false);
      expect(await state.delete(key)).toBe(true);
      expect(await state.delete(key)).toBe(false);
      expect(await state.get(key)).toBeUndefined();
      await expect(state.set(key, undefined)).rejects.toBeInstanceOf(TypeError);
    });

    it('values: a stored object is a copy', async () => {
      const key = k('copy');
      const job = { phase: 'creating' };
      await state.set(key, job);
      job.phase = 'posting';
      const read = (await state.get(key)) as { phase: string };
      expect(read.phase).toBe('creating');
      read.phase = 'changed';
      expect(await state.get(key)).toEqual({ phase: 'creating' });
    });

    it('values: expire after their ttl; a set without ttl keeps the value for good', async () => {
      const [short, long, kept] = [k('short'), k('long'), k('kept')];
      await state.set(short, 'x', 1_000);
      await state.set(long, 'y', 60_000);
      await state.set(kept, 'first', 1_000);
      await state.set(kept, 'second'); // replaces the value and its ttl
      expect(await state.get(short)).toBe('x');
      await sleep(1_300);
      expect(await state.get(short)).toBeUndefined();
      expect(await state.delete(short)).toBe(false);
      expect(await state.get(long)).toBe('y');
      expect(await state.get(kept)).toBe('second');
      await expect(state.set(k('bad'), 1, 0)).rejects.toBeInstanceOf(RangeError);
    });

    it('setIfAbsent: true once, false while live, true again after the ttl; the value is readable', async () => {
      const key = k('once');
      expect(await state.setIfAbsent(key, { by: 'a' }, 1_000)).toBe(true);
      expect(await state.setIfAbsent(key, { by: 'b' }, 1_000)).toBe(false);
      expect(await second.setIfAbsent(key, { by: 'c' }, 1_000)).toBe(false);
      expect(await state.get(key)).toEqual({ by: 'a' });
      await sleep(1_300);
      expect(await second.setIfAbsent(key, { by: 'd' }, 60_000)).toBe(true);
      expect(await state.get(key)).toEqual({ by: 'd' });
      // A value written by set counts as present.
      const plain = k('plain');
      await state.set(plain, 1);
      expect(await state.setIfAbsent(plain, 2, 60_000)).toBe(false);
      await expect(state.setIfAbsent(k('bad'), 1, -1)).rejects.toBeInstanceOf(RangeError);
    });

    it('setIfAbsent: 40 concurrent calls over two connections give exactly one true', async () => {
      const key = k('race');
      const results = await Promise.all(
        range(40).map((i) => (i % 2 ? state : second).setIfAbsent(key, i, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await state.get(key)).toBe(winner);
    });

    it('sets: add, remove, members; duplicates and missing members are no-ops', async () => {
      const key = k('set');
      expect(await state.members(key)).toEqual([]);
      await state.addMember(key, 'job-1');
      await state.addMember(key, 'job-2');
      await second.addMember(key, 'job-1');
      expect((await second.members(key)).sort()).toEqual(['job-1', 'job-2']);
      await state.removeMember(key, 'job-1');
      await state.removeMember(key, 'never-added');
      await state.removeMember(k('never-written'), 'x');
      expect(await state.members(key)).toEqual(['job-2']);
      await second.removeMember(key, 'job-2');
      expect(await state.members(key)).toEqual([]);
      // Sets and values are separate key spaces.
      await state.set(key, 'a value');
      await state.addMember(key, 'x');
      expect(await state.members(key)).toEqual(['x']);
      expect(await state.get(key)).toBe('a value');
    });

    it('sets: 100 concurrent adds over two connections are all present; concurrent removes too', async () => {
      const key = k('many');
      const ids = range(100).map((i) => `job-${i}`);
      await Promise.all(ids.map((id, i) => (i % 2 ? state : second).addMember(key, id)));
      expect((await state.members(key)).sort()).toEqual([...ids].sort());
      await Promise.all(ids.slice(0, 60).map((id, i) => (i % 2 ? second : state).removeMember(key, id)));
      expect((await second.members(key)).sort()).toEqual(ids.slice(60).sort());
    });

    it('leases: acquire, holder, renew and release by the holder only', async () => {
      const key = k('lease');
      const lease = await state.acquireLease(key, 'instance-a', 60_000);
      expect(lease).toMatchObject({ key, owner: 'instance-a' });
      if (!lease) return;
      expect(lease.token).toBeGreaterThan(0);
      expect(await second.acquireLease(key, 'instance-b', 60_000)).toBeUndefined();
      expect(await state.acquireLease(key, 'instance-a', 60_000)).toBeUndefined(); // held, even by itself
      expect(await second.leaseHolder(key)).toEqual({ owner: 'instance-a', token: lease.token });
      expect(await second.renewLease(lease, 60_000)).toBe(true);
      const forged: Lease[] = [
        { ...lease, token: lease.token + 1 },
        { ...lease, owner: 'instance-b' },
      ];
      for (const f of forged) {
        expect(await state.renewLease(f, 60_000)).toBe(false);
        expect(await state.releaseLease(f)).toBe(false);
      }
      expect(await state.leaseHolder(key)).toEqual({ owner: 'instance-a', token: lease.token });
      expect(await state.releaseLease(lease)).toBe(true);
      expect(await state.releaseLease(lease)).toBe(false);
      expect(await state.renewLease(lease, 60_000)).toBe(false);
      expect(await second.leaseHolder(key)).toBeUndefined();
      expect(await state.leaseHolder(k('never-taken'))).toBeUndefined();
    });

    it('leases: the fencing token strictly increases across acquisitions and keys', async () => {
      const key = k('fence');
      const tokens: number[] = [];
      for (const i of range(6)) {
        const target = i % 2 ? state : second;
        const lease = await target.acquireLease(i % 3 ? key : k('other'), `owner-${i}`, 60_000);
        expect(lease).toBeDefined();
        if (!lease) return;
        tokens.push(lease.token);
        expect(await target.releaseLease(lease)).toBe(true);
      }
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? 0);
    });

    it('leases: an expired lease goes to another owner; the old holder can neither renew nor release', async () => {
      const key = k('expire');
      const old = await state.acquireLease(key, 'dead-instance', 1_000);
      if (!old) throw new Error('first acquisition failed');
      expect(await second.acquireLease(key, 'live-instance', 60_000)).toBeUndefined();
      await sleep(1_300);
      expect(await second.leaseHolder(key)).toBeUndefined();
      expect(await state.renewLease(old, 60_000)).toBe(false); // expired, not yet taken: still not held
      const fresh = await second.acquireLease(key, 'live-instance', 60_000);
      if (!fresh) throw new Error('takeover failed');
      expect(fresh.token).toBeGreaterThan(old.token);
      expect(await state.renewLease(old, 60_000)).toBe(false);
      expect(await state.releaseLease(old)).toBe(false);
      expect(await state.leaseHolder(key)).toEqual({ owner: 'live-instance', token: fresh.token });
      expect(await second.renewLease(fresh, 60_000)).toBe(true);
    });

    it('leases: 30 concurrent acquisitions over two connections give exactly one lease', async () => {
      const key = k('contended');
      const leases = await Promise.all(
        range(30).map((i) => (i % 2 ? state : second).acquireLease(key, `owner-${i}`, 60_000)),
      );
      const won = leases.filter((l) => l !== undefined);
      expect(won).toHaveLength(1);
      expect(await state.leaseHolder(key)).toEqual({ owner: won[0]?.owner, token: won[0]?.token });
    });

    it('namespaces are independent', async () => {
      const other = await target.open(target.uniqueNamespace(`${target.name}-state-other`));
      opened.push(other);
      const key = k('ns');
      expect(await state.setIfAbsent(key, 1, 60_000)).toBe(true);
      expect(await other.state.setIfAbsent(key, 2, 60_000)).toBe(true);
      await state.addMember(key, 'mine');
      expect(await other.state.members(key)).toEqual([]);
      expect(await state.acquireLease(key, 'a', 60_000)).toBeDefined();
      expect(await other.state.acquireLease(key, 'b', 60_000)).toBeDefined();
    });

    it('an operation after close rejects', async () => {
      const s = await target.open(target.uniqueNamespace(`${target.name}-closed`));
      await s.close();
      await s.close(); // twice is harmless
      await expect(s.state.get('x')).rejects.toThrow();
      await expect(s.state.setIfAbsent('x', 1, 1000)).rejects.toThrow();
      await expect(s.state.addMember('x', 'y')).rejects.toThrow();
    });
  });
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'state-child.ts');
const ROOT = path.resolve(path.dirname(CHILD), '../..');

type ChildResult = { won: string[]; lease: Lease | null };

/** Starts a racing child process and resolves once it has opened the store. */
function child(url: string, namespace: string, tag: string, keys: number) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, url, namespace, tag, String(keys)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
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
      if (proc.exitCode !== null) throw new Error(`child ${tag} exited early: ${err}`);
      await sleep(10);
    }
  })();
  return {
    ready,
    go: () => proc.stdin?.write('go\n'),
    async result(): Promise<ChildResult> {
      const code = await exited;
      if (code !== 0) throw new Error(`child ${tag} exited with ${code}: ${err}`);
      const last = out.trim().split('\n').at(-1) ?? '';
      return JSON.parse(last) as ChildResult;
    },
  };
}

/** Two processes on one backend race setIfAbsent, set adds and a lease. */
export function crossProcessContract(target: StateTarget & { url: string }): void {
  describe(`state port across processes: ${target.name}`, () => {
    it('two processes: each key set once, every add kept, one lease', async () => {
      const namespace = target.uniqueNamespace(`${target.name}-procs`);
      const keys = 50;
      const kids = [child(target.url, namespace, 'a', keys), child(target.url, namespace, 'b', keys)];
      await Promise.all(kids.map((c) => c.ready));
      for (const c of kids) c.go();
      const [a, b] = await Promise.all(kids.map((c) => c.result()));
      if (!a || !b) throw new Error('a child gave no result');

      const won = [...a.won, ...b.won].sort();
      expect(won).toEqual(
        range(keys)
          .map((i) => `k${i}`)
          .sort(),
      );
      expect([a.lease, b.lease].filter(Boolean)).toHaveLength(1);

      const store = await target.open(namespace);
      try {
        const members = await store.state.members('members');
        expect(members).toHaveLength(2 * keys);
        for (const key of a.won) expect(await store.state.get(key)).toBe('a');
        const holder = await store.state.leaseHolder('lease');
        expect(holder?.owner).toBe((a.lease ?? b.lease)?.owner);
      } finally {
        await store.close();
      }
    }, 30_000);
  });
}
