// The export command: state → draft → render job → video in the chat. Nothing lost, nothing charged twice:
// - the request is recorded (intent) before anything else, so a kill before its job is stored is told after
//   the restart (dispatch.ts marks it when the command takes its place; it is cleared once the job is stored);
// - the job is stored before the render is created (render-job.ts takes it from there), so a process that dies
//   later leaves a job the next one finishes;
// - an export of a draft whose render is still running, or finished but not posted, attaches to that render
//   instead of creating (and paying for) another.

import type { Draft } from '../nemo/types.ts';
import { type Session, withSession } from './account.ts';
import { type ChatCtx, errInfo } from './context.ts';
import { reportError } from './errors.ts';
import type { Job } from './jobs.ts';
import { stopReason } from './lanes.ts';
import { draftHash } from './render-create.ts';
import { driveJob, type JobOutcome } from './render-job.ts';
import { tellSaveFailed, trySave } from './saving.ts';
import { isExportable } from './timeline.ts';
import { watchLater } from './watch.ts';

/** Records the chat's export request before it waits for its turn (never fails the request: logged). */
export async function markExportIntent(ctx: ChatCtx): Promise<void> {
  await ctx.core.jobs
    .markExportIntent(ctx.address, ctx.lang)
    .catch((e: unknown) => ctx.log.warn({ err: errInfo(e) }, 'could not record the export request'));
}

/** The request is settled (its job stored, or refused, failed, cancelled): nothing to tell after a restart. */
export async function clearExportIntent(ctx: ChatCtx): Promise<void> {
  // Its job is stored (a restart resumes it) or the export has answered: the request is accepted.
  await ctx.accepted?.();
  await ctx.core.jobs
    .clearExportIntent(ctx.address)
    .catch((e: unknown) => ctx.log.warn({ err: errInfo(e) }, 'could not clear the export request'));
}

/** Exports the chat's current draft. The caller holds the chat's lane. */
export async function exportVideo(ctx: ChatCtx, signal: AbortSignal): Promise<void> {
  if (!ctx.record.sessionId) {
    await ctx.say(ctx.m.nothingToExport);
    return;
  }
  const done = await ctx.core.lanes.markExport(ctx.address);
  try {
    const run = await exportDraft(ctx, signal);
    if (run?.outcome === 'kept') watchLater(ctx.core, run.job);
  } finally {
    await done();
  }
}

async function exportDraft(
  ctx: ChatCtx,
  signal: AbortSignal,
): Promise<{ job: Job; outcome: JobOutcome } | undefined> {
  let session: Session;
  let draft: Draft | undefined;
  try {
    // 1002: the request never reached anything, so it runs again in a new session (whose draft is empty).
    [session, draft] = await withSession(ctx, signal, async (s) => {
      const state = await s.account.state(s.sessionId, signal);
      return [s, state.draft] as const;
    });
  } catch (e) {
    if (!stopReason(signal)) await reportError(ctx, e, 'export state');
    return undefined;
  }
  if (!draft || !isExportable(draft)) {
    await ctx.say(ctx.m.nothingToExport);
    return undefined;
  }
  const hash = draftHash(draft);
  let job: Job | undefined;
  try {
    job = await keptJob(ctx, session.sessionId, hash);
  } catch (e) {
    await tellSaveFailed(ctx, 'export', e);
    return undefined;
  }
  if (job) {
    // Still rendering (or rendered, not yet posted): the same draft is never rendered (and paid for) twice.
    await clearExportIntent(ctx);
    if (!(await ctx.core.jobs.own(job).catch(() => false))) {
      // Another live instance drives (or watches) it: that one posts the video.
      await ctx.say(ctx.m.exportStillRendering);
      return undefined;
    }
    ctx.log.info({ render: job.id, phase: job.phase }, 'export attaches to a kept render');
    const ref = await ctx.say(ctx.m.exportReattached);
    return { job, outcome: await driveJob(ctx, session.account, job, { ref }, signal) };
  }
  job = {
    id: ctx.core.nemo.newRenderId(),
    address: ctx.address,
    sessionId: session.sessionId,
    phase: 'creating',
    createdAt: Date.now(),
    lang: ctx.lang,
    draftHash: hash,
  };
  try {
    await ctx.core.jobs.save(job);
  } catch (e) {
    // Without a stored job a crash would lose a paid render: nothing is created.
    await tellSaveFailed(ctx, 'export', e);
    return undefined;
  }
  await clearExportIntent(ctx);
  const ref = await ctx.say(ctx.m.exportStarting);
  if (ref) {
    job.progressRef = ref.id;
    const stored = job;
    await trySave(ctx, 'render', () => ctx.core.jobs.update(stored));
  }
  const render = () => driveJob(ctx, session.account, job, { draft, ref }, signal);
  return { job, outcome: await ctx.core.team.measureExport(ctx, job, render) };
}

/**
 * The chat's stored job for this session and draft, newest first, that may still give a video: rendering, or
 * rendered and not confirmed posted. A job whose post was confirmed is only a leftover record: dropped.
 */
async function keptJob(ctx: ChatCtx, sessionId: string, hash: string): Promise<Job | undefined> {
  const { jobs } = ctx.core;
  for (const id of [...ctx.record.jobs].reverse()) {
    const job = await jobs.get(id);
    if (!job || job.sessionId !== sessionId || job.draftHash !== hash) continue;
    if (job.phase === 'posting' && (await jobs.posted(job))) {
      if (await jobs.own(job)) await jobs.drop(job);
      continue;
    }
    return job;
  }
  return undefined;
}
