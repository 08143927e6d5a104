import { describe, expect, it } from 'vitest';
import { countChat, Tally } from './ledger.ts';
import { inWorld, KNOWN_RED, result } from './scenarios.ts';

// Telegram's own faults, in its wire format (test/fakes/telegram/faults.ts): 409 while another instance
// polls, 429 with retry_after, and the 502 HTML page of its nginx front.

const AGENT_REPLY = 'AI video agent'; // in the fake agent's answer to a greeting

describe.concurrent('Telegram faults (SQLite)', () => {
  // FIXME(issue 9 #9): fails today: lost msgs 1, /healthz 200 all through the 409 window (polling stopped)
  it.skipIf(KNOWN_RED)(
    '409 Conflict on getUpdates for 4 s: polling resumes, /healthz says unhealthy meanwhile',
    async () => {
      await inWorld({ store: 'sqlite' }, async (world) => {
        await world.start();
        const chat = world.chat();
        chat.say('hello');
        await chat.answered();
        const health = world.healthUrl();
        world.tg.conflict(4000);
        const statuses: number[] = [];
        const end = Date.now() + 4000;
        while (Date.now() < end) {
          statuses.push(
            await fetch(health).then(
              (r) => r.status,
              () => 0,
            ),
          );
          await new Promise((r) => setTimeout(r, 100));
        }
        chat.say('hello again');
        await chat.answered(20_000).catch(() => {});
        const after = await fetch(health).then(
          (r) => r.status,
          () => 0,
        );
        const problems: string[] = [];
        if (!statuses.some((s) => s !== 200)) problems.push('/healthz said 200 all through the 409 window');
        if (after !== 200) problems.push(`/healthz said ${after} after polling resumed`);
        const tally = new Tally('telegram: 409 on getUpdates 4 s', 'sqlite');
        tally.run(result(world, [countChat(chat, { exported: false })], problems));
        expect(tally.finish()).toEqual([]);
      });
    },
  );

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

  // FIXME(issue 9 #10): fails today: lost msgs 1 (the reply hit the 502 and was never sent again)
  it.skipIf(KNOWN_RED)('502 HTML page on sendMessage: the reply is sent again', async () => {
    await inWorld({ store: 'sqlite' }, async (world) => {
      await world.start();
      const chat = world.chat();
      chat.say('hi');
      await chat.answered();
      await world.settle([], 300, 300);
      world.tg.faults.badGateway('sendMessage', 1);
      chat.say('hello');
      await world.settle([], 500, 2000);
      const tally = new Tally('telegram: 502 HTML on sendMessage', 'sqlite');
      const replies = chat.texts().filter((t) => t.includes(AGENT_REPLY)).length;
      const served = world.tg.faults.badGatewaysServed;
      const problems = [
        ...(served === 1 ? [] : [`${served} of 1 injected 502 pages were met`]),
        ...(replies === 2 ? [] : [`${replies} of 2 agent replies reached the chat`]),
      ];
      tally.run(result(world, [countChat(chat, { exported: false })], problems));
      expect(tally.finish()).toEqual([]);
    });
  });
});
