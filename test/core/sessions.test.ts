import type Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessions } from '../../src/core/sessions.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore, type Store } from '../../src/store/index.ts';

let opened: Store;
let store: Keyv;
let secrets: Secrets;
const logger = createLogger({ level: 'silent', secrets: new Secrets() });

beforeEach(async () => {
  opened = await createStore('memory://', { logger });
  store = opened.keyv;
  secrets = new Secrets();
});
afterEach(async () => {
  await opened.close();
});

const sessions = () => createSessions({ store, logger, secrets, now: () => 1000 });

describe('session records', () => {
  it('a new chat gets a fresh record with a persisted client id (a secret)', async () => {
    const s = sessions();
    const { record, state } = await s.load('tg:1');
    expect(state).toBe('new');
    expect(record).toMatchObject({ v: 1, address: 'tg:1', jobs: [], createdAt: 1000 });
    expect(record.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(secrets.redact(`id ${record.clientId}`)).toBe('id [REDACTED]');
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

  it('registers a loaded anonymous token as a secret', async () => {
    await store.set('chat:tg:5', {
      v: 1,
      address: 'tg:5',
      clientId: 'client-id-12345678',
      anon: { token: 'nmv_usr_loaded_token' },
      jobs: [],
      createdAt: 1,
    });
    await sessions().load('tg:5');
    expect(secrets.redact('nmv_usr_loaded_token client-id-12345678')).toBe('[REDACTED] [REDACTED]');
  });
});
