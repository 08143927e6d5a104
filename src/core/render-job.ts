// One stored render job taken as far as it can go: created once → polled → downloaded → posted at least
// once → dropped. Render creation is exactly once (render-create.ts owns it). Every step runs only while this
// instance holds the job's lease: one that lost it to a survivor stops ('stopped') and leaves the job to it.
//
// A job ends 'done' (posted, failed and told, cancelled, nothing to do), 'stopped' (shutdown: the next process
// continues it) or 'kept': NemoVideo still renders past the poll budget, or the platform confirmed no post.
// A kept job stays stored; the caller looks at it again later (watch.ts), the next process on start, or the
// user's next export of the same draft.

import { isNemoError } from '../nemo/errors.ts';
import type { CompletedRender, Draft, NemoAccount, RenderStatus } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { fetchVideo, post } from './delivery.ts';
import { reportError } from './errors.ts';
import { LeaseLost } from './instance.ts';
import type { Job } from './jobs.ts';
import { stopReason } from './lanes.ts';
import type { SentRef } from './ports.ts';
import { createRender, Undecided } from './render-create.ts';
import { trySave } from './saving.ts';

export type JobOutcome = 'done' | 'kept' | 'stopped';

export async function driveJob(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  opts: { draft?: Draft; ref?: SentRef | undefined },
  signal: AbortSignal,
): Promise<JobOutcome> {
  const { jobs } = ctx.core;
  const progress = progressMessage(ctx, job, opts.ref);
  const started = Date.now();
  let outcome = 'failed';
  ctx.core.metrics.exportStarted();
  try {
    if (Date.now() - job.createdAt > ctx.core.config.RENDER_KEEP_MS) {
      await progress.text(ctx.m.exportExpired);
      await jobs.drop(job);
      return 'done';
    }
    if (job.phase === 'posting' && (await jobs.posted(job))) {
      // Confirmed by the platform just before the earlier process stopped: nothing left but the record.
      await progress.text(ctx.m.exportDone(progress.seconds()));
      await jobs.drop(job);
      return 'done';
    }
    if (job.phase === 'creating' && !(await createRender(ctx, account, job, opts.draft, signal)))
      return 'done';
    let status: CompletedRender;
    try {
      status = await account.waitForRender(job.id, (s) => progress.show(s), signal);
    } catch (e) {
      if (!isNemoError(e, 'render_timeout') || stopReason(signal)) throw e;
      // The budget is spent but NemoVideo never said it failed: the render (paid for) may still finish.
      job.stalls = (job.stalls ?? 0) + 1;
      ctx.log.info({ render: job.id, stalls: job.stalls }, 'render still running past its budget; kept');
      await trySave(ctx, 'render', () => jobs.update(job));
      await progress.text(ctx.m.exportStillRendering);
      outcome = 'kept';
      return 'kept';
    }
    await progress.text(ctx.m.exportDownloading(progress.seconds()));
    const video = await fetchVideo(ctx, account, job, status, signal);
    const posted = await post(ctx, job, video);
    if (posted === 'retry') {
      outcome = 'kept';
      return 'kept';
    }
    if (posted === 'posted') {
      outcome = 'posted';
      await progress.text(ctx.m.exportDone(progress.seconds()));
    } else ctx.log.error({ render: job.id }, 'no post of this render was ever confirmed; given up');
    await jobs.drop(job).catch((e: unknown) => ctx.log.warn({ err: String(e) }, 'could not drop the job'));
    return 'done';
  } catch (e) {
    const why = stopReason(signal);
    outcome = why ?? 'failed';
    // Stopping, or another instance took the job over (this one stalled): it stays for whoever finishes it.
    if (why === 'shutdown' || e instanceof LeaseLost) return 'stopped';
    if (why === 'cancel') {
      await account.cancelRender(job.id, ctx.core.shutdown).catch(() => {});
      await jobs.drop(job).catch(() => {});
      return 'done';
    }
    if (e instanceof Undecided) {
      await reportError(ctx, e.cause, 'export');
      return 'kept';
    }
    await jobs.drop(job).catch(() => {});
    await reportError(ctx, e, 'export');
    return 'done';
  } finally {
    ctx.core.metrics.exportEnded(Date.now() - started, outcome);
  }
}

/**
 * The one status message of an export: edited with percentage and elapsed seconds, unchanged text skipped.
 * A message that had to be replaced (deleted, too old to edit) is recorded on the job for a resumed process.
 */
function progressMessage(ctx: ChatCtx, job: Job, first: SentRef | undefined) {
  let ref = first;
  let last: string | undefined;
  const seconds = () => Math.max(0, Math.round((Date.now() - job.createdAt) / 1000));
  const text = async (t: string) => {
    if (t === last) return;
    last = t;
    ref = await ctx.update(ref, t);
    if (ref && ref.id !== job.progressRef) {
      job.progressRef = ref.id;
      await ctx.core.jobs.update(job).catch(() => {});
    }
  };
  return {
    seconds,
    text,
    show: (s: RenderStatus) => {
      const pct = s.progress === undefined ? undefined : Math.max(0, Math.min(100, Math.round(s.progress)));
      return text(ctx.m.exportProgress(pct, seconds()));
    },
  };
}
