// On start: finish the renders an earlier process left (through the adapter registered for each address's
// prefix) and tell chats whose agent turn died with that process. A turn is never re-sent (it may have
// reached the agent and cost credits); the chat is pointed to `status`.

import { type Core, makeCtx } from './context.ts';
import { driveJob } from './export.ts';
import type { Job } from './jobs.ts';
import { addressPrefix, type ChatAddress, type ChatPort } from './ports.ts';

function chatFor(core: Core, address: ChatAddress): ChatPort | undefined {
  return core.resolvers.get(addressPrefix(address))?.(address);
}

/** Tells chats whose turn was cut by a restart. Addresses without a registered adapter stay indexed. */
export async function tellInterruptedTurns(core: Core, prefix?: string): Promise<void> {
  for (const address of await core.jobs.turnsInFlight()) {
    if (prefix !== undefined && addressPrefix(address) !== prefix) continue;
    if (core.lanes.busy(address)) continue; // this process's own turn
    const chat = chatFor(core, address);
    if (!chat) {
      core.logger.info({ chat: address }, 'no adapter for an interrupted turn yet; kept');
      continue;
    }
    const { record } = await core.sessions.load(address);
    const turn = record.inFlight;
    if (turn) {
      const ctx = makeCtx(core, chat, record, turn.lang);
      await ctx.say(ctx.m.restartedTurn(turn.text));
    }
    await core.jobs.clearTurn(address);
  }
}

/**
 * Starts every pending job in its chat's lane. `track` keeps the returned work visible to `idle()`.
 * Jobs for prefixes without a registered adapter stay pending (logged) for a later start.
 */
export async function resumeJobs(
  core: Core,
  track: (p: Promise<unknown>) => void,
  prefix?: string,
): Promise<void> {
  for (const job of await core.jobs.pending()) {
    if (prefix !== undefined && addressPrefix(job.address) !== prefix) continue;
    const chat = chatFor(core, job.address);
    if (!chat) {
      core.logger.warn({ chat: job.address, render: job.id }, 'no adapter for a pending render; kept');
      continue;
    }
    if (!core.jobs.claimResume(job.id)) continue; // already resumed by an earlier call
    const queued = core.lanes.enqueue(job.address, 'export', Number.POSITIVE_INFINITY, (signal) =>
      resumeOne(core, chat, job, signal),
    );
    if (queued.state === 'accepted') track(queued.done);
    core.logger.info({ chat: job.address, render: job.id, phase: job.phase }, 'resuming a render');
  }
}

async function resumeOne(core: Core, chat: ChatPort, job: Job, signal: AbortSignal): Promise<void> {
  const { record } = await core.sessions.load(job.address);
  const ctx = makeCtx(core, chat, record, job.lang);
  const done = core.lanes.markExport(job.address);
  try {
    const ref = await ctx.say(ctx.m.exportResumed);
    await driveJob(ctx, core.accounts.for(ctx), job, { ref }, signal);
  } finally {
    done();
  }
}
