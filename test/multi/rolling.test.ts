import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/i18n/index.ts';
import { type Cluster, redisUnavailable, startCluster, waitUntil } from './harness.ts';

// A rolling restart of every instance, one by one (SIGTERM, start a new one), while users keep making and
// exporting videos through the balancer: nothing is lost (every message gets an answer; a message that met
// a stopping instance is answered "send that again" and sent again, as a user would) and nothing doubles
// (no message reaches the agent twice, every export is rendered once and posted once).

const en = messages('en');
const down = await redisUnavailable();
if (down && process.env.CI === 'true') throw new Error(`Redis is required in CI: ${down}`);

const PROMO = 'Your 30-second promo';
const USERS = 6;

/** One user's conversation: prompts and exports until told to stop; what it saw, for the assertions. */
async function user(c: Cluster, id: number, done: () => boolean) {
  const tgUser = c.tg.user(id, { lang: 'en' });
  const chat = c.tg.privateChat(tgUser);
  const said = () =>
    c.tg.calls
      .filter((x) => x.method === 'sendMessage' && Number(x.params.chat_id) === id)
      .map((x) => x.params.text);
  const videos = () =>
    c.tg.calls.filter((x) => x.method === 'sendVideo' && Number(x.params.chat_id) === id && x.status === 200)
      .length;
  /** Sends, then waits for the first answer that `pick` recognises among the bot's new messages. */
  async function ask<T>(text: string, pick: (texts: unknown[], videos: number) => T | undefined): Promise<T> {
    const [before, seen] = [said().length, videos()];
    c.tg.sendText(chat, tgUser, text);
    let answer: T | undefined;
    await waitUntil(
      `an answer to "${text}" in chat ${id}`,
      () => {
        answer = pick(said().slice(before), videos() - seen);
        return answer !== undefined;
      },
      45_000,
    );
    return answer as T;
  }
  let rounds = 0;
  let n = 0;
  while (!done() || rounds === 0) {
    // A prompt: the agent's reply, or (its instance stopped mid-turn) the notice; "send that again": again.
    let turn: 'ok' | 'again' = 'again';
    while (turn === 'again') {
      turn = await ask(`make a video of scene ${id}-${++n}`, (t) =>
        t.some((x) => typeof x === 'string' && (x.startsWith(PROMO) || x.startsWith('ℹ️ I restarted')))
          ? 'ok'
          : t.includes(en.shuttingDown)
            ? 'again'
            : undefined,
      );
    }
    const exported = await ask('/export', (t, v) =>
      v > 0
        ? 'video'
        : t.includes(en.shuttingDown)
          ? 'again'
          : t.includes(en.nothingToExport)
            ? 'none'
            : undefined,
    );
    if (exported === 'video') rounds++;
    // 'again' or 'none' (the turn was cut before it made anything): start the round over.
  }
  return { id, rounds, videos: videos() };
}

describe.skipIf(down !== undefined)('several instances: rolling restart', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('restarting every instance one by one while messages and exports flow loses and doubles nothing', async () => {
    const c = await startCluster({ nemo: { generateMs: 300, renderPolls: 4 } });
    cluster = c;
    const first = await Promise.all([c.start('a'), c.start('b'), c.start('c')]);
    let rolled = false;
    const users = Array.from({ length: USERS }, (_, i) => user(c, 900 + i, () => rolled));
    for (const [i, old] of first.entries()) {
      await new Promise((r) => setTimeout(r, 700)); // traffic against the full set first
      await old.stop();
      await c.start(`${old.name}${i + 2}`);
    }
    rolled = true;
    const results = await Promise.all(users);

    const videos = results.reduce((sum, r) => sum + r.videos, 0);
    for (const r of results) expect(r.videos).toBe(r.rounds); // each export posted once
    expect(c.nemo.count('render')).toBe(videos); // and rendered once
    expect(c.nemo.duplicateChats).toEqual([]); // no message reached the agent twice
    for (const bot of first) expect(await bot.exited).toBe(0); // every old instance stopped cleanly
    const sent = c.tg.calls.filter((x) => x.method === 'sendMessage').map((x) => String(x.params.text));
    const count = (p: (t: string) => boolean) => sent.filter(p).length;
    console.info(
      `rolling restart: ${results.map((r) => r.rounds).join('+')} exports, ${c.nemo.chats.length} prompts; ` +
        `"send again" ${count((t) => t === en.shuttingDown)}, "I restarted" ${count((t) => t.startsWith('ℹ️ I restarted'))}, ` +
        `resumed exports ${count((t) => t === en.exportResumed)}`,
    );
  }, 180_000);
});
