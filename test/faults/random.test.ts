import { describe, expect, it } from 'vitest';
import { Tally } from './ledger.ts';
import { SEED, seeded } from './moments.ts';
import { randomKills } from './scenarios.ts';

// SIGKILL at random moments (seeded: FAULTS_SEED reproduces a run) while three chats export at once.

const RUNS = Number(process.env.FAULTS_RANDOM_RUNS ?? 2);

describe('SIGKILL at random moments (SQLite)', () => {
  it(`${RUNS} runs × 3 chats × 2 kills, seed ${SEED}`, { timeout: RUNS * 120_000 }, async () => {
    const rng = seeded(SEED);
    const tally = new Tally('random kills', 'sqlite');
    for (let i = 0; i < RUNS; i++) {
      const run = await randomKills('sqlite', rng);
      tally.run(run);
    }
    expect(tally.finish(`seed ${SEED}`)).toEqual([]);
  });
});
