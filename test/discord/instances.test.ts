import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/server.ts';
import type { FakeInteraction } from '../fakes/discord/types.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { type BotRun, FAST_ENV, startBot } from '../terminal/child.ts';

// Two real bot processes (`node --import tsx src/main.ts`, what `npm start` runs) on the real Redis, in
// Discord mode against the fake Discord: exactly one of them holds the gateway, the other stands by (ready,
// REST only); both serve HTTP interactions (signed by the fake with a key pair made here); SIGKILL the holder
// and the standby connects once the lease has run out, never while it is live.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const OPERATOR = 'nmv_operator_discord_instances_0123456789';
const METRICS_TOKEN = 'discord-instances-metrics-token';
const LEASE_MS = 1500;
const GENERAL = '300000000000000001';

interface Bot {
  name: string;
  run: BotRun;
  port: number;
  /** The HTTP interactions endpoint (what the Developer Portal's Interactions Endpoint URL would name). */
  endpoint: string;
}

let fake: FakeDiscord;
let nemo: FakeNemo;
let dir: string;
const namespace = `dc-inst-${randomUUID().slice(0, 8)}`;
const bots: Bot[] = [];

/** The bot's keys: its namespace (STORE_NAMESPACE where the bot has it) and the default one of this branch. */
async function wipeRedis(): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    for (const match of [`${namespace}:*`, `namespace:${namespace}*`, 'nemo:*', 'namespace:nemo*'])
      for await (const keys of client.scanIterator({ MATCH: match, COUNT: 500 }))
        if (keys.length > 0) await client.del(keys);
  } finally {
    client.destroy();
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) {
      const logs = bots.map((b) => `--- ${b.name}\n${b.run.stderr().slice(-3000)}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startInstance(name: string): Promise<Bot> {
  const run = startBot({
    ...FAST_ENV,
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.url,
    DISCORD_PUBLIC_KEY: fake.publicKey,
    DISCORD_GATEWAY_LEASE_MS: String(LEASE_MS),
    STORE_URL: REDIS_URL,
    STORE_NAMESPACE: namespace,
    NEMO_API_URL: nemo.url,
    NEMO_TOKEN: OPERATOR,
    EXPORT_DIR: path.join(dir, name),
    PORT: '0',
    METRICS_TOKEN,
    HEARTBEAT_INTERVAL_MS: '0',
  });
  let port = 0;
  await until(() => {
    port = Number(/"port":(\d+)[^\n]*http server listening/.exec(run.stderr())?.[1] ?? 0);
    return port > 0 || run.child.exitCode !== null;
  }, `${name} listening`);
  if (!port) throw new Error(`${name} exited:\n${run.stderr()}`);
  const bot = { name, run, port, endpoint: `http://127.0.0.1:${port}/discord/interactions` };
  bots.push(bot);
  return bot;
}

async function readiness(bot: Bot): Promise<{ ok: boolean; discord?: { status: string; reason?: string } }> {
  try {
    const res = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
    const body = (await res.json()) as {
      ok: boolean;
      checks: Record<string, { status: string; reason?: string }>;
    };
    return { ok: body.ok, ...(body.checks.discord ? { discord: body.checks.discord } : {}) };
  } catch {
    return { ok: false };
  }
}

const reason = async (bot: Bot) => (await readiness(bot)).discord?.reason;

async function metric(bot: Bot, name: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${bot.port}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  return (await res.text()).split('\n').find((l) => l.startsWith(name));
}

/** A slash command POSTed (signed) to one instance's endpoint; resolves with its first reply with text. */
async function slashVia(bot: Bot, name: string, options: Record<string, string> = {}) {
  fake.options.interactionsUrl = bot.endpoint;
  const i = fake.slash(name, options);
  const reply = await fake.waitFor(() => fake.repliesTo(i).find((m) => m.content.trim() !== ''), 20_000);
  return { i, reply };
}

beforeAll(async () => {
  await wipeRedis();
  dir = await mkdtemp(path.join(tmpdir(), 'dc-instances-'));
  nemo = await startFakeNemo({
    heartbeatMs: 20,
    generateMs: 80,
    replyMs: 10,
    renderPolls: 1,
    operatorTokens: [OPERATOR],
  });
  // The application's key pair: Discord keeps the private half, the Developer Portal shows the public one.
  fake = await startFakeDiscord({ signingKey: generateKeyPairSync('ed25519').privateKey });
}, 30_000);

afterAll(async () => {
  for (const b of bots) if (b.run.child.exitCode === null && !b.run.child.killed) b.run.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.run.exited));
  await fake?.close();
  await nemo?.close();
  await wipeRedis();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two bot processes on one Redis', () => {
  let holder: Bot;
  let standby: Bot;

  test('exactly one holds the gateway; the other is ready on standby', async () => {
    const a = await startInstance('a');
    await until(async () => (await readiness(a)).ok, 'a ready');
    const b = await startInstance('b');
    await until(async () => (await readiness(b)).ok, 'b ready');
    // Several lease checks later, still one session.
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(fake.sessions).toEqual({ now: 1, max: 1 });
    const reasons = [await reason(a), await reason(b)];
    expect(reasons.sort()).toEqual(['gateway', 'standby']);
    [holder, standby] = reasons[0] === 'gateway' ? [a, b] : [b, a];
    expect(await readiness(standby)).toEqual({ ok: true, discord: { status: 'ok', reason: 'standby' } });
  }, 90_000);

  test('a signed slash command is answered by either instance: deferred, then followed up', async () => {
    for (const bot of [standby, holder]) {
      const { i, reply } = await slashVia(bot, 'credits');
      expect(i.http).toMatchObject({ status: 200, body: { type: 5 } });
      expect(reply.original).toBe(true);
      expect(reply.content).toMatch(/credit/i);
    }
    // A forged one, a stale one and the portal's PING check, at the standby.
    const forged = await fake.post(
      standby.endpoint,
      { type: 1, id: '1' },
      {
        signWith: generateKeyPairSync('ed25519').privateKey,
      },
    );
    const stale = await fake.post(
      standby.endpoint,
      { type: 1, id: '1' },
      {
        timestamp: Math.floor(Date.now() / 1000) - 600,
      },
    );
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(await fake.checkEndpoint(standby.endpoint)).toBe(true);
    expect(fake.calls.filter((c) => c.path.startsWith('/interactions/'))).toEqual([]);
  }, 60_000);

  test('a button under a reply works through the other instance', async () => {
    const { i } = await slashVia(holder, 'video', { prompt: 'a paper boat on a lake' });
    const withButtons = await fake.waitFor(
      () => fake.repliesTo(i).find((m) => JSON.stringify(m.components).includes('nemo:status')),
      20_000,
    );
    fake.options.interactionsUrl = standby.endpoint;
    const press: FakeInteraction = fake.press('nemo:status', withButtons);
    const status = await fake.waitFor(
      () => fake.repliesTo(press).find((m) => m.content.trim() !== ''),
      20_000,
    );
    expect(press.http).toMatchObject({ status: 200, body: { type: 5 } });
    expect(status.content.length).toBeGreaterThan(0);
  }, 60_000);

  test('a mention reaches the bot once, through the one gateway session', async () => {
    fake.message('make a clip of falling leaves', { mentionsBot: true, channel: GENERAL });
    await until(() => nemo.chats.some((c) => c.text.includes('falling leaves')), 'the mention at NemoVideo');
    await new Promise((r) => setTimeout(r, 500));
    expect(nemo.chats.filter((c) => c.text.includes('falling leaves'))).toHaveLength(1);
  }, 60_000);

  test('SIGKILL the holder: the standby connects once the lease has run out, and counts a takeover', async () => {
    const killedAt = Date.now();
    holder.run.child.kill('SIGKILL');
    await holder.run.exited;
    await until(async () => (await reason(standby)) === 'gateway', 'the standby takes the gateway');
    const failoverMs = Date.now() - killedAt;
    process.stdout.write(`discord gateway failover after SIGKILL: ${failoverMs} ms (lease ${LEASE_MS} ms)\n`);
    expect(fake.sessions).toEqual({ now: 1, max: 1 });
    expect(await metric(standby, 'nemo_bot_lease_takeovers_total{kind="gateway"}')).toMatch(/ 1$/);
    // The new holder hears mentions.
    fake.message('and now a clip of snow', { mentionsBot: true, channel: GENERAL });
    await until(() => nemo.chats.some((c) => c.text.includes('clip of snow')), 'a mention after failover');
  }, 60_000);
});
