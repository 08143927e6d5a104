// Accounts: the one owner of every chat's NemoAccount. A bounded cache whose evicted accounts take their
// secrets out of the registry (but not while a call of theirs still runs), one persistence path for
// credentials, and no per-chat secret at all with NEMO_TOKEN.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { type AccountChat, Accounts } from '../../src/core/account.ts';
import type { SessionRecord, Sessions } from '../../src/core/sessions.ts';
import { createSessions } from '../../src/core/sessions.ts';
import { createNemoClient, type NemoClient, type NemoEvent } from '../../src/nemo/index.ts';
import { createLogger, type Logger, Secrets } from '../../src/secrets.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';

let fake: FakeNemo;
let opened: Store;
let store: Keyv;
let secrets: Secrets;
let logger: Logger;
let lines: string;
let nemo: NemoClient;
let sessions: Sessions;

beforeEach(async () => {
  fake = await startFakeNemo({ heartbeatMs: 5, generateMs: 200 });
  secrets = new Secrets();
  lines = '';
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => {
    lines += c.toString('utf8');
  });
  logger = createLogger({ level: 'info', secrets, destination: sink });
  opened = await createStore('memory://', { logger });
  store = opened.keyv;
  const timing = nemoTimingFromConfig(parseConfig({ NEMO_API_URL: fake.url, RATE_LIMIT_RETRY_MS: '10' }));
  nemo = createNemoClient({ baseUrl: fake.url, version: '0.0.0-test', secrets, logger, timing });
  sessions = createSessions({ store, logger, now: Date.now });
});
afterEach(async () => {
  await opened.close();
  await fake.close();
});

async function chatOf(n: number): Promise<AccountChat> {
  const address = `tg:${n}`;
  const { record } = await sessions.load(address);
  return { address, record, platform: 'telegram', log: logger };
}

/** A chat whose record already holds a trial token (no backend call to make its account). */
function storedChat(n: number): AccountChat {
  const record: SessionRecord = {
    v: 1,
    address: `tg:${n}`,
    clientId: randomUUID(),
    anon: { token: `nmv_usr_${randomUUID().replace(/-/g, '')}` },
    jobs: [],
    createdAt: 0,
  };
  return { address: record.address, record, platform: 'telegram', log: logger };
}

describe('Accounts', () => {
  it('registry and cache stay bounded after 10,000 chats; the evicted chats’ secrets are gone', () => {
    const accounts = new Accounts({ nemo, sessions, secrets, max: 100 });
    const chats: AccountChat[] = [];
    for (let i = 0; i < 10_000; i++) {
      const chat = storedChat(i);
      chats.push(chat);
      accounts.for(chat);
    }
    expect(accounts.size).toBe(100);
    expect(secrets.size).toBe(2 * 100);
    const old = chats[0]?.record;
    const recent = chats.at(-1)?.record;
    expect(old && secrets.has(old.clientId)).toBe(false);
    expect(recent && secrets.has(recent.clientId)).toBe(true);
    expect(recent?.anon?.token && secrets.has(recent.anon.token)).toBe(true);
  });

  it('an evicted account’s token stays redacted while its stream runs, and leaves the registry after', async () => {
    const accounts = new Accounts({ nemo, sessions, secrets, max: 1 });
    const a = await chatOf(1);
    const account = accounts.for(a);
    const s = await account.createSession('en');
    const token = account.credentials.kind === 'anonymous' ? account.credentials.token : undefined;
    expect(token).toMatch(/^nmv_usr_/);
    // A long generation is running when two other chats push this account out of the cache.
    const stream = account.chat(s.sessionId, 'generate a promo for my shop')[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.done).toBe(false);
    accounts.for(await chatOf(2));
    accounts.for(await chatOf(3));
    expect(accounts.size).toBe(1);
    expect(secrets.has(token as string)).toBe(true);
    logger.info({ echoed: token }, `backend said: bad token ${token}`);
    expect(lines).toContain('bad token [REDACTED]');
    expect(lines).not.toContain(token);
    const rest: NemoEvent[] = [];
    for (let e = await stream.next(); !e.done; e = await stream.next()) rest.push(e.value);
    expect(rest.some((e) => e.type === 'text')).toBe(true);
    // Nothing of it runs any more: no longer needed for redaction.
    expect(secrets.has(token as string)).toBe(false);
    expect(secrets.has(a.record.clientId)).toBe(false);
  });

  it('credentials are persisted through one path, the client’s: first token and a re-acquired one', async () => {
    const accounts = new Accounts({ nemo, sessions, secrets });
    const chat = await chatOf(7);
    const account = accounts.for(chat);
    await account.credits();
    const saved = (await sessions.load(chat.address)).record;
    const first = saved.anon?.token;
    expect(first).toMatch(/^nmv_usr_/);
    expect(saved.anon?.userId).toMatch(/^anon_/);
    expect(accounts.for(chat)).toBe(account);
    fake.options.faults.push({ route: 'credits', code: 1001 });
    await account.credits();
    const again = (await sessions.load(chat.address)).record;
    expect(again.anon?.token).toMatch(/^nmv_usr_/);
    expect(again.anon?.token).not.toBe(first);
    expect(again.clientId).toBe(chat.record.clientId);
    const stored = (await store.get(`chat:${chat.address}`)) as SessionRecord;
    expect(stored.anon?.token).toBe(again.anon?.token);
    expect(fake.count('token')).toBe(2);
  });

  it('with NEMO_TOKEN: one account per platform, and no chat’s client id is registered', async () => {
    const operator = 'nmv_usr_operator_0123456789';
    fake.options.operatorTokens.push(operator);
    const accounts = new Accounts({ nemo, sessions, secrets, operatorToken: operator });
    const a = await chatOf(1);
    const b = await chatOf(2);
    expect(accounts.for(a)).toBe(accounts.for(b));
    expect(accounts.for({ ...a, platform: 'discord' })).not.toBe(accounts.for(a));
    expect(await accounts.for(a).credits()).toMatchObject({ available: 100 });
    expect(secrets.has(a.record.clientId)).toBe(false);
    expect(secrets.has(operator)).toBe(true);
    expect(fake.count('token')).toBe(0);
  });
});
