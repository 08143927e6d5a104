import { describe, expect, it } from 'vitest';
import { Tally } from './ledger.ts';
import { SEED, seeded } from './moments.ts';
import { KNOWN_RED, randomKills } from './scenarios.ts';

// SIGKILL at random moments (seeded: FAULTS_SEED reproduces a run) while three chats export at once.

const RUNS = Number(process.env.FAULTS_RANDOM_RUNS ?? 2);

describe('SIGKILL at random moments (SQLite)', () => {
  // FIXME(issue 9 #1, #3): fails today: seed 101 (3 runs, 9 exports): renders/export 0×2 1×7, posts 0×2, lost
  // msgs 2 (killed between the handled-update mark and the stored job); seed 303: posts/render 0×3 1×6, lost
  // msgs 3 (killed inside the post). Seed 777 (2 runs) happened to pass.
  it.skipIf(KNOWN_RED)(
    `${RUNS} runs × 3 chats × 2 kills, seed ${SEED}`,
    { timeout: RUNS * 120_000 },
    async () => {
      const rng = seeded(SEED);
      const tally = new Tally('random kills', 'sqlite');
      for (let i = 0; i < RUNS; i++) {
        const run = await randomKills('sqlite', rng);
        tally.run(run);
      }
      expect(tally.finish(`seed ${SEED}`)).toEqual([]);
    },
  );
});
