import { describe, expect, it } from 'vitest';
import { Tally } from './ledger.ts';
import { MOMENTS, SEED, seeded } from './moments.ts';
import { redisUnavailable } from './redis.ts';
import { randomKills, signalAtMoment } from './scenarios.ts';

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

describe.skipIf(unavailable !== undefined)(
  `SIGKILL on the Redis store${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    for (const moment of MOMENTS) {
      it(`kill at ${moment}`, async () => {
        const tally = new Tally(`kill at ${moment}`, 'redis');
        const run = await signalAtMoment('redis', moment);
        tally.run(run);
        expect(tally.finish()).toEqual([]);
      });
    }

    it('kill a few milliseconds after the Export tap was handed out (seeded delays)', async () => {
      const rng = seeded(SEED + 1);
      const delays = [1 + Math.floor(rng() * 40), 1 + Math.floor(rng() * 40)];
      const tally = new Tally('kill at update +1..40 ms', 'redis');
      for (const delayMs of delays) {
        const run = await signalAtMoment('redis', 'update', { delayMs });
        tally.run(run);
      }
      expect(tally.finish(`seed ${SEED + 1}, delays ${delays.join(', ')} ms`)).toEqual([]);
    });

    it(`random kills: 1 run × 3 chats × 2 kills, seed ${SEED + 2}`, async () => {
      const tally = new Tally('random kills', 'redis');
      const run = await randomKills('redis', seeded(SEED + 2));
      tally.run(run);
      expect(tally.finish(`seed ${SEED + 2}`)).toEqual([]);
    });
  },
);
