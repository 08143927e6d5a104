import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, Secrets } from '../../src/secrets.ts';
import type { Store } from '../../src/store/index.ts';
import { stateContract } from './state-contract.ts';

export const silentLogger = createLogger({ level: 'silent', secrets: new Secrets() });

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A namespace no other run (or parallel test file) uses, so a shared Redis or file keeps runs apart. */
export const uniqueNamespace = (tag: string) => `test-${tag}-${process.pid}-${randomUUID().slice(0, 8)}`;

export interface ContractTarget {
  name: string;
  /** Opens a store on the same backend (same file, same server) in the given namespace. */
  open(namespace: string): Promise<Store>;
  /** Two stores opened with one namespace see the same data (a file, a server); memory:// does not. */
  shared: boolean;
}

/** What every store behind STORE_URL must do, sessions (Keyv) and state port; run once per implementation. */
export function storeContract(target: ContractTarget): void {
  stateContract({ ...target, uniqueNamespace });
  describe(`store contract: ${target.name}`, () => {
    const namespace = uniqueNamespace(target.name);
    let opened: Store | undefined;
    let store: Keyv;
    const extra: Store[] = [];
    const openExtra = async (ns: string) => {
      const s = await target.open(ns);
      extra.push(s);
      return s.keyv;
    };

    beforeAll(async () => {
      opened = await target.open(namespace);
      store = opened.keyv;
    });
    afterEach(async () => {
      await store.clear();
    });
    afterAll(async () => {
      for (const s of extra) {
        await s.keyv.clear();
        await s.close();
      }
      if (opened) {
        await store.clear();
        await opened.close();
      }
    });

    it('get/set/has/delete', async () => {
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.has('missing')).toBe(false);
      expect(await store.set('a', 'one')).toBe(true);
      expect(await store.get('a')).toBe('one');
      expect(await store.has('a')).toBe(true);
      await store.set('a', 'two');
      expect(await store.get('a')).toBe('two');
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.has('a')).toBe(false);
    });

    it('getMany, setMany and deleteMany', async () => {
      await store.setMany([
        { key: 'm1', value: 1 },
        { key: 'm2', value: { two: 2 } },
      ]);
      expect(await store.get(['m1', 'nope', 'm2'])).toEqual([1, undefined, { two: 2 }]);
      expect(await store.deleteMany(['m1', 'm2'])).toBe(true);
      expect(await store.get(['m1', 'm2'])).toEqual([undefined, undefined]);
    });

    it('clear empties its own namespace only', async () => {
      const other = await openExtra(uniqueNamespace(`${target.name}-other`));
      await store.set('k', 'mine');
      await other.set('k', 'theirs');
      expect(await store.get('k')).toBe('mine');
      await store.clear();
      expect(await store.get('k')).toBeUndefined();
      expect(await other.get('k')).toBe('theirs');
    });

    it('a value expires after its ttl', async () => {
      await store.set('short', 'x', 250);
      await store.set('long', 'y', 60_000);
      await store.set('forever', 'z');
      expect(await store.get('short')).toBe('x');
      expect(await store.has('short')).toBe(true);
      await sleep(400);
      expect(await store.has('short')).toBe(false);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.get(['short', 'long'])).toEqual([undefined, 'y']);
      expect(await store.get('forever')).toBe('z');
    });

    it('JSON values round-trip (nested, unicode, Chinese, colon-prefixed strings)', async () => {
      const value = {
        chat: 'tg:-1001234:7',
        lang: 'zh',
        title: '帮我做一个关于猫的视频 🎬',
        nested: { list: [1, 2.5, -3, true, false, null, { deep: ['a', '导出'] }], empty: {}, none: [] },
        colon: ':looks-like-a-keyv-escape',
        text: 'line one\nline "two"\t\\ end',
      };
      await store.set('json', value);
      expect(await store.get('json')).toEqual(value);
      await store.set('cn', '时间线');
      expect(await store.get('cn')).toBe('时间线');
      await store.set('num', 0);
      expect(await store.get('num')).toBe(0);
      await store.set('bool', false);
      expect(await store.get('bool')).toBe(false);
    });

    it('a large value (~200 KB draft) round-trips', async () => {
      const clips = Array.from({ length: 1100 }, (_, i) => ({
        id: `clip-${i}`,
        start: i * 1.5,
        caption: `第${i}段 — scene ${i} with some descriptive text for the draft timeline`,
        tracks: [{ kind: 'video', src: `https://cdn.example.com/assets/${i}.mp4` }],
      }));
      const draft = { sessionId: 'sess-1', clips };
      expect(JSON.stringify(draft).length).toBeGreaterThan(200_000);
      await store.set('draft', draft);
      expect(await store.get('draft')).toEqual(draft);
    });

    it("iterator lists this namespace's live keys", async () => {
      const other = await openExtra(uniqueNamespace(`${target.name}-iter`));
      await other.set('foreign', 1);
      await store.set('i1', 'one');
      await store.set('i2', { two: '二' });
      await store.set('gone', 'x', 10);
      await sleep(30);
      expect(store.iterator).toBeTypeOf('function');
      const seen: Array<[string, unknown]> = [];
      for await (const [k, v] of store.iterator?.(undefined) ?? []) seen.push([k, v]);
      seen.sort(([a], [b]) => a.localeCompare(b));
      expect(seen).toEqual([
        ['i1', 'one'],
        ['i2', { two: '二' }],
      ]);
    });
  });
}
