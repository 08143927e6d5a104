import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countChat, Tally } from './ledger.ts';
import { arm, MOMENTS, type Moment, SEED, seeded } from './moments.ts';
import { inWorld, KNOWN_RED, restartAndSettle, result, signalAtMoment, within } from './scenarios.ts';

// SIGKILL at each named moment of an export, on a real SQLite file: the next process must finish the export
// with exactly one render and one video (two copies only when the kill landed inside the upload).

const RED: Partial<Record<Moment, true>> = {
  // FIXME(issue 9 #1): fails today: posts/render 0×1, renders/export 1×1, lost msgs 1 (marked posted before sendVideo)
  'chat-action': true,
  // FIXME(issue 9 #1): fails today: posts/render 0×1, renders/export 1×1, lost msgs 1 (marked posted before sendVideo)
  'mid-upload': true,
};

describe('SIGKILL at a named moment of an export (SQLite)', () => {
  for (const moment of MOMENTS) {
    it.skipIf(KNOWN_RED && RED[moment])(`kill at ${moment}`, async () => {
      const tally = new Tally(`kill at ${moment}`, 'sqlite');
      tally.run(await signalAtMoment('sqlite', moment));
      expect(tally.finish()).toEqual([]);
    });
  }

  // FIXME(issue 9 #3): fails today: on Redis (seed 778, delays 2 and 25 ms) renders/export 0×2, posts 0×2,
  // lost msgs 2: the update is marked handled, the job not yet stored. On SQLite the same, when the kill
  // misses the store's statements (random kills, seed 101); when it hits one, the restart waits for the lock.
  it.skipIf(KNOWN_RED)(
    'kill a few milliseconds after the Export tap was handed out (seeded delays)',
    async () => {
      const rng = seeded(SEED);
      const delays = [1 + Math.floor(rng() * 40), 1 + Math.floor(rng() * 40)];
      const tally = new Tally('kill at update +1..40 ms', 'sqlite');
      for (const delayMs of delays) tally.run(await signalAtMoment('sqlite', 'update', { delayMs }));
      expect(tally.finish(`seed ${SEED}, delays ${delays.join(', ')} ms`)).toEqual([]);
    },
  );

  // FIXME(issue 9, not in its list): fails today: every restart for 30 s exits 1 "database is locked"
  it.skipIf(KNOWN_RED)(
    'a kill inside a SQLite write leaves its lock behind: the restart still comes up',
    async () => {
      await inWorld({ store: 'sqlite', nemo: { renderPolls: 3 } }, async (world) => {
        await world.start();
        const chat = world.chat();
        await chat.generate();
        const trigger = arm(world, chat, 'mid-poll', () => world.signal('SIGKILL'));
        chat.pressExport();
        await within(trigger.fired, 20_000, 'the first render poll', world);
        await world.bot.exited;
        // What a SIGKILL inside a statement leaves behind (node-sqlite3-wasm locks with a directory; this
        // suite's kills at `update` hit it): placed here so the scenario does not depend on luck.
        mkdirSync(`${world.storeUrl.slice('sqlite://'.length)}.lock`, { recursive: true });
        const problems: string[] = [];
        await restartAndSettle(world, [chat], problems);
        if (world.refusals.length > 0) {
          problems.push(`the restart was refused ${world.refusals.length} times: ${world.refusals[0]}`);
        }
        const tally = new Tally('kill inside a SQLite write (stale lock)', 'sqlite');
        tally.run(result(world, [countChat(chat)], problems));
        expect(tally.finish()).toEqual([]);
      });
    },
  );
});
