import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import { Ledger } from '../../src/core/team/ledger.ts';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState } from '../../src/store/index.ts';
import { FAKE_FAST, FAST } from '../core/engine-harness.ts';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import {
  from,
  OPERATOR_TOKEN,
  PROMPT,
  recordingChat,
  say,
  type TeamHarness,
  teamHarness,
} from './harness.ts';

// What every job cost (the account's balance before and after; shared spend split so it adds up), the cost
// under an export and in /status, the usage report and its JSON-lines export.

let h: TeamHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('cost ledger', () => {
  const ledger = (state = new MemoryState()) => new Ledger(state, { owner: 'test', lockTtlMs: 5_000 });

  it('a job alone on its account costs exactly the drop; a rise (a top-up) is not a negative cost', async () => {
    const l = ledger();
    let balance = 100;
    const read = async () => balance;
    expect(await l.open('acct', 'a', read)).toBe(true);
    balance = 88;
    expect(await l.close('acct', 'a', read)).toEqual({ credits: 12, shared: false });
    balance = 500;
    await l.open('acct', 'b', read);
    balance = 520;
    expect(await l.close('acct', 'b', read)).toEqual({ credits: 0, shared: false });
  });

  it('overlapping jobs share each drop; their costs add up to the account’s spend', async () => {
    const l = ledger();
    let balance = 1000;
    const read = async () => balance;
    await l.open('op', 'a', read); // a alone
    balance -= 7;
    await l.open('op', 'b', read); // a: 7
    balance -= 10;
    await l.open('op', 'c', read); // a, b: 5 each
    balance -= 9;
    const b = await l.close('op', 'b', read); // a, b, c: 3 each
    balance -= 1;
    const a = await l.close('op', 'a', read); // a, c: 1 cent-split (0.5 each)
    balance -= 4;
    const c = await l.close('op', 'c', read); // c alone: 4
    expect(b).toEqual({ credits: 8, shared: true });
    expect(a).toEqual({ credits: 15.5, shared: true });
    expect(c).toEqual({ credits: 7.5, shared: true });
    expect((a?.credits ?? 0) + (b?.credits ?? 0) + (c?.credits ?? 0)).toBe(1000 - balance);
  });

  it('a job whose reading fails has an unknown cost; others are not disturbed', async () => {
    const l = ledger();
    let balance = 50;
    const read = async () => balance;
    const broken = async (): Promise<number> => {
      throw new Error('unreachable');
    };
    expect(await l.open('acct', 'x', broken)).toBe(false);
    await l.open('acct', 'y', read);
    balance = 40;
    expect(await l.close('acct', 'x', read)).toBeUndefined();
    expect(await l.close('acct', 'y', read)).toEqual({ credits: 10, shared: false });
  });

  it('two instances (one store) keep one book: readings are serialised by the lease', async () => {
    const state = new MemoryState();
    const [one, two] = [ledger(state), ledger(state)];
    let balance = 100;
    const slow = async () => {
      const seen = balance;
      await new Promise((r) => setTimeout(r, 5));
      return seen;
    };
    await Promise.all([one.open('op', 'a', slow), two.open('op', 'b', slow)]);
    balance = 80;
    const [a, b] = await Promise.all([one.close('op', 'a', slow), two.close('op', 'b', slow)]);
    expect((a?.credits ?? 0) + (b?.credits ?? 0)).toBe(20);
  });
});

describe('cost of every job, end to end', () => {
  it('two chats at once on the operator’s account: shared, and the sum is the real spend', async () => {
    h = await teamHarness({
      env: { NEMO_TOKEN: OPERATOR_TOKEN },
      fake: { operatorTokens: [OPERATOR_TOKEN], credits: { available: 500, frozen: 0 }, generateMs: 150 },
    });
    const [a, b] = [recordingChat('tg:-501'), recordingChat('tg:-502')];
    await Promise.all([
      h.engine.handle(from(a, 'tg:1', PROMPT), a),
      h.engine.handle(from(b, 'tg:2', 'make a video about tea'), b),
    ]);
    await h.engine.idle();
    const boss = recordingChat('term:local');
    const report = (await say(h, boss, from(boss, 'term:local', '/usage'))) ?? '';
    expect(report).toContain(
      teamEn.usageTotal({ name: '', jobs: 2, exports: 0, credits: 20, shared: true, unknown: 0, failed: 0 }),
    );
    expect(500 - h.fake.options.credits.available).toBe(20);
  });

  it('an export shows its cost under the video; /status shows the last cost; /usage counts it', async () => {
    h = await teamHarness({ fake: { renderCost: 12 } });
    const chat = recordingChat('tg:77');
    await say(h, chat, from(chat, 'tg:77', PROMPT));
    expect(await say(h, chat, from(chat, 'tg:77', 'export'))).toBe(teamEn.exportCost(12, false));
    const status = (await say(h, chat, from(chat, 'tg:77', 'status'))) ?? '';
    expect(status.split('\n').at(-1)).toBe(teamEn.lastCost('export', 12, false));
    const mine = (await say(h, chat, from(chat, 'tg:77', '/usage day', { locale: 'zh-CN' }))) ?? '';
    expect(mine.split('\n')[1]).toBe(
      teamZh.usageTotal({ name: '', jobs: 2, exports: 1, credits: 22, shared: false, unknown: 0, failed: 0 }),
    );
  });

  it('/usage: the bot’s admins see every user and chat; a group’s admin only their group; members nothing', async () => {
    h = await teamHarness({ env: { ADMIN_USERS: 'tg:1' } });
    const [g1, g2] = [recordingChat('tg:-601'), recordingChat('tg:-602')];
    await say(h, g1, from(g1, 'tg:11', PROMPT));
    await say(h, g1, from(g1, 'tg:12', 'make a video about bread'));
    await say(h, g2, from(g2, 'tg:13', 'make a video about cheese'));
    h.fake.options.faults.push({ route: 'chat', streamError: 'boom' });
    await say(h, g2, from(g2, 'tg:13', 'make a video about wine'));
    const boss = recordingChat('tg:1');
    const all = (await say(h, boss, from(boss, 'tg:1', '/usage'))) ?? '';
    expect(all).toContain('• User 11 (tg:11): 1 jobs (0 exports), 10 credits, 0 failed');
    expect(all).toContain('• tg-chat:-601: 2 jobs (0 exports), 20 credits, 0 failed');
    expect(all).toContain('• tg-chat:-602: 2 jobs (0 exports), 10 credits, 1 failed');
    const lead = (await say(h, g1, from(g1, 'tg:11', '/usage', { admin: true }))) ?? '';
    expect(lead).toContain(' in this chat');
    expect(lead).toContain('tg:12');
    expect(lead).not.toContain('tg:13');
    expect(lead).not.toContain('By chat:');
    expect(await say(h, g1, from(g1, 'tg:12', '/usage'))).toBe('Only an admin of this chat can do that.');
    expect(await say(h, boss, from(boss, 'tg:1', '/usage year'))).toBe(teamEn.usageBadPeriod);
  });

  it('GET /usage: JSON lines behind the bearer token', async () => {
    const fake = await startFakeNemo(FAKE_FAST);
    const routes = new Map<string, (req: never, res: never) => void>();
    const server = createServer((req, res) => {
      const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (handler) handler(req as never, res as never);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/usage`;
    const config = parseConfig({ ...FAST, NEMO_API_URL: fake.url, USAGE_TOKEN: 'bookkeeping-token-123456' });
    const secrets = new Secrets();
    const logger = createLogger({ level: 'silent', secrets });
    const nemo = createNemoClient({
      baseUrl: fake.url,
      version: '0',
      secrets,
      logger,
      timing: nemoTimingFromConfig(config),
    });
    const Keyv = (await import('keyv')).default;
    const engine = createEngine({
      config,
      nemo,
      store: new Keyv(),
      state: new MemoryState(),
      logger,
      secrets,
      mount: (path, handler) => routes.set(path, handler as never),
    });
    try {
      const chat = recordingChat('tg:-700');
      await engine.handle(from(chat, 'tg:70', PROMPT), chat);
      await engine.handle(from(chat, 'tg:71', 'export'), chat);
      await engine.idle();
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status).toBe(
        401,
      );
      const res = await fetch(url, { headers: { authorization: 'Bearer bookkeeping-token-123456' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.kind, l.user, l.chat, l.credits, l.ok])).toEqual([
        ['turn', 'tg:70', 'tg-chat:-700', 10, true],
        ['export', 'tg:71', 'tg-chat:-700', 0, true],
      ]);
      const later = await fetch(
        `${url}?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
        {
          headers: { authorization: 'Bearer bookkeeping-token-123456' },
        },
      );
      expect(await later.text()).toBe('');
      // The token is a secret: registered for redaction.
      expect(secrets.has('bookkeeping-token-123456')).toBe(true);
    } finally {
      await engine.close();
      server.close();
      await fake.close();
    }
  });
});
