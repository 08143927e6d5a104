import { describe, expect, it } from 'vitest';
import { until } from '../terminal/child.ts';
import { countChat, Tally } from './ledger.ts';
import { inWorld, restartAndSettle, result, signalAtMoment } from './scenarios.ts';

// SIGTERM (a deploy) in the middle of an agent turn and of an export: a clean exit (0), nothing re-sent, and
// the next process finishes the export or tells the chat what happened to its request.

describe.concurrent('SIGTERM mid-work (SQLite)', () => {
  it('mid-turn: exit 0, the message is not sent again, the chat hears about it', async () => {
    await inWorld({ store: 'sqlite', nemo: { generateMs: 3000 } }, async (world) => {
      await world.start();
      const chat = world.chat();
      chat.say(chat.prompt);
      await until(
        () => world.nemo.chats.some((c) => c.text === chat.prompt),
        15_000,
        'the prompt at NemoVideo',
      );
      const stopped = await world.stop('SIGTERM');
      const problems = stopped.code === 0 ? [] : [`exit ${stopped.code ?? stopped.signal} on SIGTERM`];
      await restartAndSettle(world, [], problems);
      const tally = new Tally('SIGTERM mid-turn', 'sqlite');
      tally.run(result(world, [countChat(chat, { exported: false })], problems));
      expect(tally.finish()).toEqual([]);
    });
  });

  it('mid-export (polling): exit 0, resumed, one render, one video', async () => {
    const tally = new Tally('SIGTERM mid-export (poll)', 'sqlite');
    const run = await signalAtMoment('sqlite', 'mid-poll', { signal: 'SIGTERM' });
    tally.run(run);
    expect(tally.finish()).toEqual([]);
  });
});
