// Work a gone process left: renders to finish (through the adapter registered for each address's prefix),
// agent turns that died with it, whose chats are told, and export requests it never stored a job for. A turn
// is never re-sent (it may have reached the agent and cost credits); the chat is pointed to `status`. Only what
// no live instance owns is touched: a job whose lease this instance could take, a turn whose chat lane is idle
// (a live runner would hold it), an export request of a gone instance, so a chat served by another running
// instance is never told "I restarted".

import { type Core, errInfo, makeCtx } from './context.ts';
import type { Job } from './jobs.ts';
import { addressPrefix, type ChatAddress, type ChatPort } from './ports.ts';
import { chatFor, continueJob } from './watch.ts';

/**
 * What a task does first when it starts in its chat's lane on a shared store: read the chat's record again (a
 * task on another instance may have changed it while this one waited) and tell the chat about a turn its
 * earlier runner left when its instance died (this task holds the lane: any recorded turn is an orphan).
 */
export async function adoptLane(core: Core, chat: ChatPort): Promise<void> {
  if (!core.instance.shared) return;
  const address = chat.address;
  const record = await core.sessions.refresh(address);
  core.accounts.sync(address, record);
  if (record.inFlight) await tellTurn(core, chat, address);
}

async function tellTurn(core: Core, chat: ChatPort, address: ChatAddress): Promise<void> {
  const record = core.instance.shared
    ? await core.sessions.refresh(address)
    : (await core.sessions.load(address)).record;
  const turn = record.inFlight;
  if (turn) {
    const ctx = makeCtx(core, chat, record, turn.lang);
    await ctx.say(ctx.m.restartedTurn(turn.text));
  }
  await core.jobs.clearTurn(address);
}

/** Tells chats whose turn was cut by a gone process. Addresses without a registered adapter stay indexed. */
export async function tellInterruptedTurns(core: Core, prefix?: string): Promise<void> {
  for (const address of await core.jobs.turnsInFlight()) {
    if (prefix !== undefined && addressPrefix(address) !== prefix) continue;
    const chat = chatFor(core, address);
    if (!chat) {
      core.logger.info({ chat: address }, 'no adapter for an interrupted turn yet; kept');
      continue;
    }
    await core.lanes.whenIdle(address, () => tellTurn(core, chat, address));
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
    // A live instance's request (maybe this one's) is on its way: its instance settles it.
    if (intent.instance !== undefined && (await core.instance.alive(intent.instance))) continue;
    if (await core.lanes.busy(address)) continue; // an older record of an export running now
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
 * Takes every pending job whose owner is gone and starts it in its chat's lane. `track` keeps the returned
 * work visible to `idle()`. Jobs for prefixes without a registered adapter stay pending (logged).
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
    if (!(await core.jobs.claim(job))) continue; // a live instance (maybe this one) drives it
    core.logger.info({ chat: job.address, render: job.id, phase: job.phase }, 'resuming a render');
    const queued = await core.lanes.enqueue(
      job.address,
      'export',
      Number.POSITIVE_INFINITY,
      async (signal) => {
        await adoptLane(core, chat);
        await continueJob(core, chat, job, signal, true);
      },
    );
    if (queued.state === 'accepted')
      track(queued.done.then((r) => (r === 'dropped' ? dropped(core, chat, job) : undefined)));
  }
}

/** A resumed job that never ran: cancelled by the user (the render goes too), or left for the next process. */
async function dropped(core: Core, chat: ChatPort, job: Job): Promise<void> {
  try {
    if (core.shutdown.aborted) return await core.jobs.release(job);
    const { record } = await core.sessions.load(job.address);
    const ctx = makeCtx(core, chat, record, job.lang);
    await core.accounts
      .for(ctx)
      .cancelRender(job.id, core.shutdown)
      .catch(() => {});
    await core.jobs.drop(job);
  } catch (e) {
    core.logger.warn({ render: job.id, err: errInfo(e) }, 'could not drop a cancelled render');
  }
}
