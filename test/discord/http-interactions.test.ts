import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { startFakeDiscord } from '../fakes/discord/server.ts';
import type { FakeInteraction } from '../fakes/discord/types.ts';
import { type Harness, ScriptedEngine, startHarness } from './harness.ts';

// Discord's HTTP interactions against the real adapter (real discord.js) on a real HTTP server: the fake
// Discord signs each interaction with the application's Ed25519 key and POSTs it to the endpoint, reads the
// first response from the HTTP answer, and serves the follow-up webhooks.

const GENERAL = '300000000000000001';
const THREAD = '300000000000000003';
const PATH = '/discord/interactions';

let h: Harness | undefined;
let http: HttpServer | undefined;
afterEach(async () => {
  await h?.close();
  await http?.close();
  h = http = undefined;
});

async function start(env: Record<string, string> = {}, engine = new ScriptedEngine()) {
  // The test owns the application's key pair; the fake signs with the private half.
  const { privateKey } = generateKeyPairSync('ed25519');
  const fake = await startFakeDiscord({ signingKey: privateKey });
  http = createHttpServer(createLogger({ level: 'silent', secrets: new Secrets() }));
  const port = await http.listen(0);
  const server = http;
  h = await startHarness({
    engine,
    fakeDiscord: fake,
    mount: (path, handler) => server.mount(path, handler),
    env: { DISCORD_PUBLIC_KEY: fake.publicKey, ...env },
    adapter: { httpAckMs: 300 },
  });
  const url = `http://127.0.0.1:${port}${PATH}`;
  fake.options.interactionsUrl = url;
  return { fake, engine, url };
}

const answered = (h: Harness, i: FakeInteraction) => h.fake.waitFor(() => i.http);

describe('the endpoint', () => {
  test('passes the Developer Portal check: PONG to a signed PING, 401 to a forged one', async () => {
    const { fake, url } = await start();
    expect(await fake.checkEndpoint(url)).toBe(true);
    expect(await fake.post(url, { type: 1, id: '1' })).toEqual({ status: 200, body: { type: 1 } });
  });

  test('refuses what Discord did not sign, or signed too long ago, with 401', async () => {
    const { fake, url, engine } = await start();
    const ping = { type: 1, id: '1' };
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const now = Math.floor(Date.now() / 1000);
    const answers = await Promise.all([
      fake.post(url, ping, { unsigned: true }),
      fake.post(url, ping, { signWith: stranger }),
      fake.post(url, ping, { tamper: (b) => b.replace('"type":1', '"type":2') }),
      fake.post(url, ping, { timestamp: now - 301 }),
      fake.post(url, ping, { timestamp: now + 301 }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    // A signed timestamp a little off (clock skew) is fine.
    expect((await fake.post(url, ping, { timestamp: now - 60 })).status).toBe(200);
    expect(engine.received).toHaveLength(0);
  });

  test('a replayed interaction (same id, validly signed) runs once: the second POST gets 409', async () => {
    const { fake, url, engine } = await start();
    engine.script = async (_m, chat) => void (await chat.send({ text: 'You have 100 credits.' }));
    const i = fake.slash('credits');
    await answered(h as Harness, i);
    const replay = await fake.post(url, {
      id: i.id,
      application_id: fake.options.applicationId,
      type: 2,
      token: i.token,
      version: 1,
      data: { id: '1', name: 'credits', type: 1 },
      channel: { id: GENERAL, type: 0 },
      channel_id: GENERAL,
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': '200000000000000001' },
    });
    expect(replay.status).toBe(409);
    await fake.waitFor(() => fake.repliesTo(i).find((m) => m.content.includes('100')));
    expect(engine.received).toHaveLength(1);
  });
});

describe('interactions over HTTP', () => {
  test('a slash command: the POST is answered with a deferral, the reply fills it through the webhook', async () => {
    const { fake, engine } = await start();
    engine.script = async (_m, chat) => void (await chat.send({ text: 'You have 100 credits.' }));
    const i = fake.slash('credits', {}, { locale: 'zh-CN' });
    const m = await fake.waitFor(() => fake.repliesTo(i).find((x) => x.content.includes('100')));
    expect(i.http).toEqual({ status: 200, body: { type: 5, data: { flags: 0 } } });
    // The deferral made the "thinking…" message; the reply edited it.
    expect(i.ackType).toBe(5);
    expect(m.original).toBe(true);
    expect(m.history).toEqual(['', 'You have 100 credits.']);
    // The first response travelled in the HTTP answer, never to the callback endpoint.
    expect(fake.calls.filter((c) => c.path.startsWith('/interactions/'))).toEqual([]);
    expect(fake.calls.some((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'))).toBe(true);
    const msg = engine.received[0]?.msg;
    expect(msg?.command).toEqual({ name: 'credits' });
    expect(msg?.address).toBe(`dc:${GENERAL}`);
    expect(msg?.sender).toMatchObject({ id: '400000000000000001', locale: 'zh-CN' });
  });

  test('a button press: deferred, and the action reaches the engine', async () => {
    const { fake, engine } = await start();
    engine.script = async (m, chat) => {
      if (m.command?.name === 'status') await chat.send({ text: 'status: 2 clips' });
      else await chat.send({ text: 'done', buttons: ['export', 'status', 'credits'] });
    };
    const first = fake.slash('video', { prompt: 'a cat' });
    const withButtons = await fake.waitFor(() =>
      fake.repliesTo(first).find((m) => JSON.stringify(m.components).includes('nemo:status')),
    );
    const press = fake.press('nemo:status', withButtons);
    await fake.waitFor(() => fake.repliesTo(press).find((m) => m.content === 'status: 2 clips'));
    expect(press.http).toMatchObject({ status: 200, body: { type: 5 } });
    expect(engine.received.map((r) => r.msg.command?.name)).toEqual([undefined, 'status']);
    // A button that is not ours is acknowledged without a word (a deferred update).
    const stray = fake.press('someone-else:1', withButtons);
    expect((await answered(h as Harness, stray)).body).toEqual({ type: 6 });
  });

  test('without the gateway: a thread is still its own chat, a DM belongs to its user, no gateway session opens', async () => {
    const engine = new ScriptedEngine(async (_m, chat) => void (await chat.send({ text: 'ok' })));
    const { fake } = await start({ DISCORD_GATEWAY: 'false' }, engine);
    const i = fake.slash('status', {}, { channel: THREAD });
    await fake.waitFor(() => fake.repliesTo(i).find((m) => m.content === 'ok'));
    expect(engine.received[0]?.msg.address).toBe(`dc:${GENERAL}:${THREAD}`);
    // A DM: the user owns the chat.
    const dm = fake.slash('lang', { language: 'zh' }, { dm: true });
    await fake.waitFor(() => fake.repliesTo(dm).find((m) => m.content === 'ok'));
    const msg = engine.received[1]?.msg;
    expect(msg?.address).toMatch(/^dc:5\d+$/);
    expect(msg?.command).toEqual({ name: 'lang', arg: 'zh' });
    expect(await msg?.sender.isAdmin()).toBe(true);
    expect(fake.sessions).toEqual({ now: 0, max: 0 });
    expect(fake.identify).toBeUndefined();
  });

  test('an interaction no handler answers gets 503 before Discord gives up (3 s)', async () => {
    const { fake, url } = await start();
    // An autocomplete: the bot has none, so nothing answers it.
    const res = await fake.post(url, {
      id: '1577440507078901761',
      application_id: fake.options.applicationId,
      type: 4,
      token: 'autocomplete-token',
      version: 1,
      data: { id: '1', name: 'video', type: 1, options: [] },
      channel: { id: GENERAL, type: 0, guild_id: '200000000000000001' },
      channel_id: GENERAL,
      guild_id: '200000000000000001',
      member: { user: { id: '400000000000000001', username: 'alice' }, roles: [], permissions: '0' },
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': '200000000000000001' },
    });
    expect(res.status).toBe(503);
  });
});
