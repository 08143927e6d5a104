import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatePort, Store } from '../../src/store/index.ts';
import type { StateTarget } from './state-contract.ts';

// The part of the state port's contract that several instances lean on (src/core/instance.ts,
// src/core/lanes-shared.ts): taking a dead owner's lease, fenced writes, bounded lists, wake-up messages.

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function sharedStateContract(target: StateTarget): void {
  describe(`state port contract, several instances: ${target.name}`, () => {
    const opened: Store[] = [];
    let state: StatePort;
    let second: StatePort;
    let n = 0;
    const k = (name: string) => `${name}-${++n}`;

    beforeAll(async () => {
      const ns = target.uniqueNamespace(`${target.name}-shared`);
      const a = await target.open(ns);
      opened.push(a);
      state = a.state;
      const b = target.shared ? await target.open(ns) : a;
      if (b !== a) opened.push(b);
      second = b.state;
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('replaceLease: takes a lease from the holder named, or a free one; never from another holder', async () => {
      const key = k('replace');
      const dead = await state.acquireLease(key, 'dead', 60_000);
      if (!dead) throw new Error('first acquisition failed');
      expect(await second.replaceLease(key, { owner: 'dead', token: dead.token + 1 }, 'b', 60_000)).toBe(
        undefined,
      );
      expect(await second.replaceLease(key, { owner: 'other', token: dead.token }, 'b', 60_000)).toBe(
        undefined,
      );
      const taken = await second.replaceLease(key, { owner: 'dead', token: dead.token }, 'b', 60_000);
      expect(taken).toMatchObject({ key, owner: 'b' });
      expect(taken?.token).toBeGreaterThan(dead.token);
      expect(await state.leaseHolder(key)).toEqual({ owner: 'b', token: taken?.token });
      // The dead holder's acquisition is over: no renew, no release, no fenced write.
      expect(await state.renewLease(dead, 60_000)).toBe(false);
      expect(await state.releaseLease(dead)).toBe(false);
      expect(await state.setFenced(dead, k('v'), 1)).toBe(false);
      // A free lease (never taken, or released) is taken too.
      const free = k('free');
      expect(await state.replaceLease(free, { owner: 'gone', token: 1 }, 'c', 60_000)).toMatchObject({
        owner: 'c',
      });
    });

    it('replaceLease: 20 survivors racing for one dead holder: exactly one wins', async () => {
      const key = k('race');
      const dead = await state.acquireLease(key, 'dead', 60_000);
      if (!dead) throw new Error('first acquisition failed');
      const previous = { owner: dead.owner, token: dead.token };
      const results = await Promise.all(
        range(20).map((i) => (i % 2 ? state : second).replaceLease(key, previous, `s-${i}`, 60_000)),
      );
      const won = results.filter((r) => r !== undefined);
      expect(won).toHaveLength(1);
      expect(await second.leaseHolder(key)).toEqual({ owner: won[0]?.owner, token: won[0]?.token });
    });

    it('setFenced: writes while the lease is held by this acquisition, not after it is lost', async () => {
      const leaseKey = k('fence');
      const value = k('value');
      const lease = await state.acquireLease(leaseKey, 'a', 1_000);
      if (!lease) throw new Error('acquisition failed');
      expect(await state.setFenced(lease, value, { phase: 'creating' })).toBe(true);
      expect(await second.get(value)).toEqual({ phase: 'creating' });
      expect(await second.setFenced({ ...lease, token: lease.token + 1 }, value, 'forged')).toBe(false);
      await sleep(1_300); // the holder stalls past its ttl
      expect(await state.setFenced(lease, value, { phase: 'stale' })).toBe(false);
      const next = await second.acquireLease(leaseKey, 'b', 60_000);
      if (!next) throw new Error('takeover failed');
      expect(await second.setFenced(next, value, { phase: 'rendering' }, 60_000)).toBe(true);
      expect(await state.setFenced(lease, value, { phase: 'stale' })).toBe(false);
      expect(await state.get(value)).toEqual({ phase: 'rendering' });
      await expect(state.setFenced(next, value, undefined)).rejects.toBeInstanceOf(TypeError);
    });

    it('lists: push in order, bounded, remove every occurrence; lists are their own key space', async () => {
      const key = k('list');
      expect(await state.listItems(key)).toEqual([]);
      expect(await state.listPush(key, 'a', 3)).toBe(1);
      expect(await second.listPush(key, 'b', 3)).toBe(2);
      expect(await state.listPush(key, 'a')).toBe(3);
      expect(await state.listPush(key, 'c', 3)).toBeUndefined();
      expect(await second.listItems(key)).toEqual(['a', 'b', 'a']);
      expect(await second.listRemove(key, 'a')).toBe(true);
      expect(await state.listRemove(key, 'a')).toBe(false);
      expect(await state.listItems(key)).toEqual(['b']);
      expect(await state.listPush(key, '{"id":"x","kind":"turn"}', 3)).toBe(2);
      expect(await state.listItems(key)).toEqual(['b', '{"id":"x","kind":"turn"}']);
      await state.set(key, 'a value');
      await state.addMember(key, 'member');
      expect(await state.listItems(key)).toHaveLength(2);
      expect(await state.listRemove(key, 'b')).toBe(true);
      expect(await state.listRemove(key, '{"id":"x","kind":"turn"}')).toBe(true);
      expect(await state.listItems(key)).toEqual([]);
      expect(await state.listRemove(k('never'), 'x')).toBe(false);
    });

    it('lists: 30 concurrent bounded pushes fill exactly to the bound; one of concurrent removers wins', async () => {
      const key = k('bounded');
      const results = await Promise.all(
        range(30).map((i) => (i % 2 ? state : second).listPush(key, `item-${i}`, 4)),
      );
      expect(results.filter((r) => r !== undefined).sort()).toEqual([1, 2, 3, 4]);
      const items = await state.listItems(key);
      expect(items).toHaveLength(4);
      const victim = items[1] ?? '';
      const removed = await Promise.all(
        range(6).map((i) => (i % 2 ? state : second).listRemove(key, victim)),
      );
      expect(removed.filter(Boolean)).toHaveLength(1);
      expect(await second.listItems(key)).toEqual(items.filter((x) => x !== victim));
    });

    it('publish/subscribe: subscribers hear messages until they unsubscribe', async () => {
      const channel = k('chan');
      const heard: string[] = [];
      const heardToo: string[] = [];
      const off = await second.subscribe(channel, (m) => heard.push(m));
      const offToo = await state.subscribe(channel, (m) => heardToo.push(m));
      await state.publish(channel, 'one');
      await second.publish(channel, '二');
      await state.publish(k('other-channel'), 'elsewhere');
      for (let i = 0; i < 200 && (heard.length < 2 || heardToo.length < 2); i++) await sleep(10);
      expect(heard).toEqual(['one', '二']);
      expect(heardToo).toEqual(['one', '二']);
      await off();
      await state.publish(channel, 'three');
      for (let i = 0; i < 200 && heardToo.length < 3; i++) await sleep(10);
      expect(heardToo).toEqual(['one', '二', 'three']);
      await sleep(50);
      expect(heard).toEqual(['one', '二']);
      await offToo();
    });
  });
}
