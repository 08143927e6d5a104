import { describe, expect, it } from 'vitest';
import { countChat, Tally } from './ledger.ts';
import { inWorld, result } from './scenarios.ts';

// Telegram's own faults, in its wire format (test/fakes/telegram/faults.ts): 409 while another instance
// polls (/readyz, not /healthz, says so: alive is not ready), 429 with retry_after, and the 502 HTML page of
// its nginx front.

const AGENT_REPLY = 'AI video agent'; // in the fake agent's answer to a greeting

describe.concurrent('Telegram faults (SQLite)', () => {
  it('409 Conflict on getUpdates for 4 s: /readyz says not ready (telegram) meanwhile, polling resumes', async () => {
    await inWorld({ store: 'sqlite' }, async (world) => {
      await world.start();
      const chat = world.chat();
      chat.say('hello');
      await chat.answered();
      const ready = world.readyUrl();
      const before = await readiness(ready);
      world.tg.faults.conflict(4000);
      const during: Readiness[] = [];
      const end = Date.now() + 4000;
      while (Date.now() < end) {
        during.push(await readiness(ready));
        await new Promise((r) => setTimeout(r, 100));
      }
      chat.say('hello again');
      await chat.answered(20_000).catch(() => {});
      // Polling resumes after a pause (TELEGRAM_CONFLICT_RETRY_MS, doubling): ready again then.
      let after = await readiness(ready);
      for (const until = Date.now() + 10_000; after.status !== 200 && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 100));
        after = await readiness(ready);
      }
      const problems: string[] = [];
      if (before.status !== 200) problems.push(`/readyz said ${before.status} before the 409 window`);
      // The first 300 ms: the held poll is being ended with its 409.
      const settled = during.filter((r) => r.at >= during[0]!.at + 300);
      const wrong = settled.filter((r) => r.status !== 503 || r.telegram !== 'down');
      if (settled.length === 0 || wrong.length > 0) {
        problems.push(
          `/readyz during the 409 window: ${wrong.length} of ${settled.length} answers were not 503 with telegram down (${JSON.stringify(wrong[0])})`,
        );
      }
      if (after.status !== 200) problems.push(`/readyz said ${after.status} after polling resumed`);
      const tally = new Tally('telegram: 409 on getUpdates 4 s', 'sqlite');
      tally.run(result(world, [countChat(chat, { exported: false })], problems));
      expect(tally.finish()).toEqual([]);
    });
  });

  it('429 with retry_after on sendMessage, editMessageText and sendVideo during an export', async () => {
    await inWorld({ store: 'sqlite' }, async (world) => {
      await world.start();
      const chat = world.chat();
      await chat.generate();
      world.tg.rateLimit('sendMessage', 1, 1);
      world.tg.rateLimit('editMessageText', 1, 1);
      world.tg.rateLimit('sendVideo', 1, 1);
      chat.pressExport();
      await world.settle([chat]);
      const tally = new Tally('telegram: 429 retry_after 1 s', 'sqlite');
      const limited = world.tg.calls.filter((c) => c.status === 429).length;
      tally.run(
        result(world, [countChat(chat)], limited === 3 ? [] : [`${limited} of 3 injected 429s were met`]),
      );
      expect(tally.finish()).toEqual([]);
    });
  });

  it('502 HTML page on sendMessage: the reply is sent again', async () => {
    await inWorld({ store: 'sqlite' }, async (world) => {
      await world.start();
      const chat = world.chat();
      chat.say('hi');
      await chat.answered();
      await world.settle([], 300, 300);
      world.tg.faults.front('sendMessage', 1, 502);
      chat.say('hello');
      const replies = () => chat.texts().filter((t) => t.includes(AGENT_REPLY)).length;
      // The re-send comes after TELEGRAM_RETRY_MS; then quiet, so a second copy would still show.
      for (const until = Date.now() + 15_000; replies() < 2 && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await world.settle([], 500, 2000);
      const tally = new Tally('telegram: 502 HTML on sendMessage', 'sqlite');
      const refused = world.tg.faults.refusedByFront.length;
      const problems = [
        ...(refused === 1 ? [] : [`${refused} of 1 injected 502 pages were met`]),
        ...(replies() === 2 ? [] : [`${replies()} of 2 agent replies reached the chat`]),
      ];
      tally.run(result(world, [countChat(chat, { exported: false })], problems));
      expect(tally.finish()).toEqual([]);
    });
  });
});

interface Readiness {
  at: number;
  status: number;
  telegram?: string;
}

/** One /readyz answer: its status and the telegram check's (0 when the bot did not answer). */
async function readiness(url: string): Promise<Readiness> {
  const at = Date.now();
  try {
    const res = await fetch(url);
    const body = (await res.json()) as { checks?: { telegram?: { status?: string } } };
    const telegram = body.checks?.telegram?.status;
    return { at, status: res.status, ...(telegram ? { telegram } : {}) };
  } catch {
    return { at, status: 0 };
  }
}
