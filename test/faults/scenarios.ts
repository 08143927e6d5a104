import type { FakeNemoOptions } from '../fakes/nemo/types.ts';
import type { FaultChat } from './chat.ts';
import { countChat, type RunResult } from './ledger.ts';
import { arm, type Moment } from './moments.ts';
import type { StoreKind } from './redis.ts';
import { World } from './world.ts';

// The scenario drivers shared by the test files: one run = one world (fakes, store, bot processes), driven
// through a fault, restarted, left to settle, then counted.

/** Big enough that the sendVideo body outlasts the fake's hold (moments.ts UPLOAD_HOLD_BYTES). */
const PADDED_MP4 = 1024 * 1024;

export async function within<T>(p: Promise<T>, ms: number, what: string, world?: World): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}\n${world?.logs() ?? ''}`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `body` in a fresh world and always closes it. */
export async function inWorld<T>(
  opts: { store: StoreKind; nemo?: Partial<FakeNemoOptions>; env?: Record<string, string> },
  body: (w: World) => Promise<T>,
): Promise<T> {
  const world = await World.open(opts);
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

/**
 * After a fault: restart on the same store, let things settle, then stop cleanly and start once more to see
 * that nothing is left to do (a job left behind would post or render again here).
 */
export async function restartAndSettle(world: World, chats: FaultChat[], problems: string[]): Promise<void> {
  await world.start();
  await world.settle(chats);
  const stopped = await world.stop('SIGTERM');
  if (stopped.code !== 0)
    problems.push(`bot #${world.runs.length} exited with ${stopped.code ?? stopped.signal} on SIGTERM`);
  await world.start();
  await world.settle(chats, 500, 1000);
  const last = await world.stop('SIGTERM');
  if (last.code !== 0)
    problems.push(`bot #${world.runs.length} exited with ${last.code ?? last.signal} on SIGTERM`);
}

/** One export in one chat; `signal` lands at `moment` (+ `delayMs`); restart, settle, count. */
export function signalAtMoment(
  store: StoreKind,
  moment: Moment,
  opts: { delayMs?: number; signal?: NodeJS.Signals } = {},
): Promise<RunResult> {
  const signal = opts.signal ?? 'SIGKILL';
  const nemo: Partial<FakeNemoOptions> = moment === 'mid-upload' ? { mp4PadTo: PADDED_MP4 } : {};
  if (moment === 'mid-poll') nemo.renderPolls = 3;
  return inWorld({ store, nemo }, async (world) => {
    const problems: string[] = [];
    await world.start();
    const chat = world.chat();
    await chat.generate();
    const trigger = arm(world, chat, moment, () => world.signal(signal), opts.delayMs ?? 0);
    chat.pressExport();
    await within(trigger.fired, 20_000, `the moment "${moment}"`, world);
    const exit = await world.bot.exited;
    if (signal === 'SIGTERM' && exit.code !== 0)
      problems.push(`SIGTERM at ${moment}: exit ${exit.code ?? exit.signal}`);
    await restartAndSettle(world, [chat], problems);
    const maxPosts = moment === 'chat-action' || moment === 'mid-upload' ? 2 : 1;
    return { counts: [countChat(chat, { maxPosts })], problems, refusals: world.refusals };
  });
}

/**
 * Several chats export at once and the bot is SIGKILLed at a random moment (seeded), restarted, killed
 * again at a random moment, restarted, and left to settle. A chat caught inside its upload may get two copies.
 */
export function randomKills(store: StoreKind, rng: () => number, chats = 3, kills = 2): Promise<RunResult> {
  return inWorld({ store, nemo: { mp4PadTo: PADDED_MP4 } }, async (world) => {
    const problems: string[] = [];
    await world.start();
    const users = Array.from({ length: chats }, () => world.chat());
    await Promise.all(users.map((u) => u.generate()));
    const caught = new Set<FaultChat>();
    const presses = users.map(async (u) => {
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 400)));
      u.pressExport();
    });
    for (let k = 0; k < kills; k++) {
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 3000)));
      world.signal('SIGKILL');
      for (const u of users) if (u.inUpload()) caught.add(u);
      await world.bot.exited;
      if (k < kills - 1) await world.start();
    }
    await Promise.all(presses);
    await restartAndSettle(world, users, problems);
    return {
      counts: users.map((u) => countChat(u, { maxPosts: caught.has(u) ? 2 : 1 })),
      problems,
      refusals: world.refusals,
    };
  });
}

/**
 * Scenarios that fail today (issue 9) are skipped so the branch stays green; `FAULTS_ALL=1 npm run
 * test:faults` runs them too (red until the fix lands, then unskip).
 */
export const KNOWN_RED = process.env.FAULTS_ALL !== '1';

/** A run's result from its world: the counted chats and the problems seen besides the counts. */
export function result(world: World, counts: RunResult['counts'], problems: string[] = []): RunResult {
  return { counts, problems, refusals: world.refusals };
}
