import { describe, expect, it } from 'vitest';
import { Tally } from './ledger.ts';
import { MOMENTS, type Moment, SEED, seeded } from './moments.ts';
import { redisUnavailable } from './redis.ts';
import { KNOWN_RED, randomKills, signalAtMoment } from './scenarios.ts';

// The kill scenarios again on the real Redis store (one file: they share the bot's namespace, so one at a
// time). Unreachable Redis skips them locally and fails under CI=true, as the store contract tests do.

const unavailable = await redisUnavailable();
if (unavailable && process.env.CI === 'true') {
  describe('fault suite on Redis', () => {
    it('Redis must be reachable when CI=true', () => {
      throw new Error(`Redis is required in CI: ${unavailable}`);
    });
  });
}

const RED: Partial<Record<Moment, true>> = {
  // FIXME(issue 9 #1): fails today: posts/render 0×1, renders/export 1×1 (marked posted before sendVideo)
  'chat-action': true,
  // FIXME(issue 9 #1): fails today: posts/render 0×1, renders/export 1×1 (marked posted before sendVideo)
  'mid-upload': true,
};

describe.skipIf(unavailable !== undefined)(
  `SIGKILL on the Redis store${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    for (const moment of MOMENTS) {
      it.skipIf(KNOWN_RED && RED[moment])(`kill at ${moment}`, async () => {
        const tally = new Tally(`kill at ${moment}`, 'redis');
        const run = await signalAtMoment('redis', moment);
        tally.run(run);
        expect(tally.finish()).toEqual([]);
      });
    }

    // FIXME(issue 9 #3): fails today: on Redis (seed 778, delays 2 and 25 ms) renders/export 0×2, posts 0×2,
    // lost msgs 2: the update is marked handled, the job not yet stored. On SQLite the same, when the kill
    // misses the store's statements (random kills, seed 101); when it hits one, the restart waits for the lock.
    it.skipIf(KNOWN_RED)(
      'kill a few milliseconds after the Export tap was handed out (seeded delays)',
      async () => {
        const rng = seeded(SEED + 1);
        const delays = [1 + Math.floor(rng() * 40), 1 + Math.floor(rng() * 40)];
        const tally = new Tally('kill at update +1..40 ms', 'redis');
        for (const delayMs of delays) {
          const run = await signalAtMoment('redis', 'update', { delayMs });
          tally.run(run);
        }
        expect(tally.finish(`seed ${SEED + 1}, delays ${delays.join(', ')} ms`)).toEqual([]);
      },
    );

    // FIXME(issue 9 #1, #3): fails today whenever a kill lands in a post or before the job is stored (see
    // random.test.ts for counts); seed 779 happened to pass.
    it.skipIf(KNOWN_RED)(`random kills: 1 run × 3 chats × 2 kills, seed ${SEED + 2}`, async () => {
      const tally = new Tally('random kills', 'redis');
      const run = await randomKills('redis', seeded(SEED + 2));
      tally.run(run);
      expect(tally.finish(`seed ${SEED + 2}`)).toEqual([]);
    });
  },
);
