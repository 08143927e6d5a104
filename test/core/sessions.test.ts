import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessions } from '../../src/core/sessions.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore, type Store } from '../../src/store/index.ts';

let opened: Store;
let store: Keyv;
const logger = createLogger({ level: 'silent', secrets: new Secrets() });

beforeEach(async () => {
  opened = await createStore('memory://', { logger });
  store = opened.keyv;
});
afterEach(async () => {
  await opened.close();
});

const sessions = (max?: number) =>
  createSessions({ store, logger, now: () => 1000, ...(max !== undefined ? { max } : {}) });

describe('session records', () => {
  it('a new chat gets a fresh record with a persisted client id', async () => {
    const s = sessions();
    const { record, state } = await s.load('tg:1');
    expect(state).toBe('new');
    expect(record).toMatchObject({ v: 1, address: 'tg:1', jobs: [], createdAt: 1000 });
    expect(record.clientId).toMatch(/^[0-9a-f-]{36}$/);
    await s.update('tg:1', (r) => {
      r.sessionId = '42';
      r.anon = { token: 'nmv_usr_anon_token_1', userId: 'anon_1' };
    });
    // Another process reads what was written.
    const again = await sessions().load('tg:1');
    expect(again.state).toBe('ok');
    expect(again.record).toMatchObject({
      sessionId: '42',
      clientId: record.clientId,
      anon: { userId: 'anon_1' },
    });
  });

  it('loads once per process: later readers see the same record and state ok', async () => {
    const s = sessions();
    const [a, b] = await Promise.all([s.load('dc:9'), s.load('dc:9')]);
    expect(a.record).toBe(b.record);
    expect([a.state, b.state].sort()).toEqual(['new', 'ok']);
  });

  it('an unreadable or old record is replaced and reported once as invalid', async () => {
    await store.set('chat:tg:2', { v: 0, address: 'tg:2', sessionId: 'old' });
    const s = sessions();
    const first = await s.load('tg:2');
    expect(first.state).toBe('invalid');
    expect(first.record.sessionId).toBeUndefined();
    expect((await s.load('tg:2')).state).toBe('ok');
    expect(((await store.get('chat:tg:2')) as { v: number }).v).toBe(1);
  });

  it('a record stored under another address is not trusted', async () => {
    await store.set('chat:tg:3', { v: 1, address: 'tg:4', clientId: 'x', jobs: [], createdAt: 1 });
    expect((await sessions().load('tg:3')).state).toBe('invalid');
  });

  it('keeps only the most recent chats cached; an evicted record is read again with its last write', async () => {
    // A store whose writes take a while: the record is evicted and read again while its write is on its way.
    const data = new Map<string, unknown>();
    const slow = new Keyv({
      store: {
        get: async (k: string) => data.get(k),
        set: async (k: string, v: unknown) => {
          await new Promise((r) => setTimeout(r, 30));
          data.set(k, v);
          return true;
        },
        delete: async (k: string) => data.delete(k),
        clear: async () => data.clear(),
      },
    });
    const s = createSessions({ store: slow, logger, now: () => 1000, max: 2 });
    const first = await s.load('tg:10');
    const writing = s.update('tg:10', (r) => {
      r.sessionId = 's-10';
    });
    await s.load('tg:11');
    await s.load('tg:12');
    expect(data.size).toBe(0);
    const again = await s.load('tg:10');
    await writing;
    expect(again.record).not.toBe(first.record);
    expect(again.record).toMatchObject({ sessionId: 's-10', clientId: first.record.clientId });
    expect(again.state).toBe('ok');
  });
});
