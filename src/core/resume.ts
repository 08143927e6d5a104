// On start: finish the renders an earlier process left (through the adapter registered for each address's
// prefix) and tell chats whose agent turn died with that process. A turn is never re-sent (it may have
// reached the agent and cost credits); the chat is pointed to `status`.

import { type Core, makeCtx } from './context.ts';
import { addressPrefix } from './ports.ts';
import { chatFor, continueJob } from './watch.ts';

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
  await tellInterruptedExports(core, prefix);
}

/**
 * Tells chats whose export request was cut before its job was stored: nothing was rendered or charged.
 * Not resumed: the draft it was for is unknown (it was read after the request), and the tap that arrives
 * again after a restart (Telegram re-delivers it) would render a second time.
 */
async function tellInterruptedExports(core: Core, prefix?: string): Promise<void> {
  for (const intent of await core.jobs.exportIntents()) {
    const { address } = intent;
    if (prefix !== undefined && addressPrefix(address) !== prefix) continue;
    if (core.lanes.busy(address)) continue; // this process's own export
    const chat = chatFor(core, address);
    if (!chat) continue;
    const { record } = await core.sessions.load(address);
    // Its job was stored just before the process stopped: the job resumes; nothing to tell.
    const stored = await Promise.all(record.jobs.map((id) => core.jobs.get(id)));
    if (!stored.some((j) => j && j.createdAt >= intent.at)) {
      const ctx = makeCtx(core, chat, record, intent.lang);
      await ctx.say({ text: ctx.m.exportInterrupted, buttons: ['export'] });
    }
    await core.jobs.clearExportIntent(address);
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
      continueJob(core, chat, job, signal, true),
    );
    if (queued.state === 'accepted') track(queued.done);
    core.logger.info({ chat: job.address, render: job.id, phase: job.phase }, 'resuming a render');
  }
}
