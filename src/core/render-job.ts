// One stored render job taken as far as it can go: created once → polled → downloaded → posted at least
// once → dropped. Render creation is exactly once: a job that may have reached NemoVideo before (resumed,
// re-attached, a create that got no answer) asks by its id before it creates anything.
//
// A job ends 'done' (posted, failed and told, cancelled, nothing to do), 'stopped' (shutdown: the next process
// continues it) or 'kept': NemoVideo still renders past the poll budget, or the platform confirmed no post.
// A kept job stays stored; the caller looks at it again later (watch.ts), the next process on start, or the
// user's next export of the same draft.

import { createHash } from 'node:crypto';
import { isNemoError, type NemoError } from '../nemo/errors.ts';
import type { CompletedRender, Draft, NemoAccount, RenderStatus } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { fetchVideo, post } from './delivery.ts';
import { reportError } from './errors.ts';
import type { Job } from './jobs.ts';
import { stopReason } from './lanes.ts';
import type { SentRef } from './ports.ts';
import { trySave } from './saving.ts';
import { isExportable } from './timeline.ts';

export type JobOutcome = 'done' | 'kept' | 'stopped';

/** Identifies a draft: the same JSON (whatever its key order) gives the same hash. */
export function draftHash(draft: Draft): string {
  return createHash('sha256').update(canonical(draft)).digest('hex').slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** No answer from NemoVideo (network, timeout, a 5xx): a create may or may not have reached it. */
const unanswered = (e: NemoError) =>
  e.kind === 'network' || e.kind === 'timeout' || (e.code === 'backend' && (e.status ?? 0) >= 500);

/** Thrown by `create` when it cannot tell whether the render exists: reported, and the job kept. */
class Undecided extends Error {}

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
    if (job.phase === 'creating' && !(await create(ctx, account, job, opts.draft, signal))) return 'done';
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
    if (why === 'shutdown') return 'stopped';
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

/** Whether NemoVideo has a render with this id (a refusal means no; no answer throws). */
async function exists(account: NemoAccount, id: string, signal: AbortSignal): Promise<boolean> {
  try {
    await account.renderStatus(id, signal);
    return true;
  } catch (e) {
    if (isNemoError(e) && e.kind === 'refused' && !unanswered(e)) return false;
    throw e;
  }
}

/** Creates the render once; false when there is nothing the user asked for to render (told, dropped). */
async function create(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  given: Draft | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  const rendering = async () => {
    job.phase = 'rendering';
    await trySave(ctx, 'render', () => ctx.core.jobs.update(job));
  };
  let draft = given;
  if (!draft) {
    // Resumed or re-attached: an earlier create may have reached NemoVideo. Ask by id, never create twice.
    if (await exists(account, job.id, signal)) {
      await rendering();
      return true;
    }
    draft = (await account.state(job.sessionId, signal)).draft;
    const asked = job.draftHash === undefined || (draft !== undefined && draftHash(draft) === job.draftHash);
    if (!draft || !isExportable(draft) || !asked) {
      // Not the draft the user asked to export (changed since, or gone): tell rather than render another.
      await ctx.core.jobs.drop(job);
      await ctx.say({ text: ctx.m.exportInterrupted, buttons: ['export'] });
      return false;
    }
  }
  let id: string;
  try {
    id = await account.startRender({ id: job.id, sessionId: job.sessionId, draft }, signal);
  } catch (e) {
    if (!isNemoError(e) || !unanswered(e) || stopReason(signal)) throw e;
    // No answer: the create may have reached NemoVideo (a charge). Ask by id; while nobody can tell, keep the job
    // (looked at again later, by id) rather than drop a render that may be running.
    const known = await exists(account, job.id, signal).catch(() => undefined);
    if (known === true) {
      await rendering();
      return true;
    }
    if (known === undefined) throw new Undecided('render create unanswered', { cause: e });
    throw e;
  }
  if (id !== job.id) {
    // The client retried with a new id (duplicate id): re-key the stored job.
    const old = { ...job };
    job.id = id;
    job.phase = 'rendering';
    await trySave(ctx, 'render', async () => {
      await ctx.core.jobs.save(job);
      await ctx.core.jobs.drop(old);
    });
  } else {
    await rendering();
  }
  ctx.log.info({ render: job.id }, 'render started');
  return true;
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
