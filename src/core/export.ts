// The export flow: state → draft → render → poll with visible progress → download → post exactly once.
// The job is stored and indexed before the render is created; each phase is recorded, so `resume` (after a
// crash or a deploy) continues from where it stopped and a posted video is never posted twice.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isNemoError, NemoError } from '../nemo/errors.ts';
import type { Draft, NemoAccount, RenderStatus } from '../nemo/types.ts';
import { accountFor } from './account.ts';
import type { ChatCtx } from './context.ts';
import { reportError } from './errors.ts';
import { LeaseLost } from './instance.ts';
import { type Job, newRenderId } from './jobs.ts';
import { stopReason } from './lanes.ts';
import { videoLinkText } from './notices.ts';
import type { SentRef, VideoOut } from './ports.ts';
import { createRender } from './render-create.ts';
import { isExportable } from './timeline.ts';

/** Exports the chat's current draft. The caller holds the chat's lane. */
export async function exportVideo(ctx: ChatCtx, signal: AbortSignal): Promise<void> {
  const sessionId = ctx.record.sessionId;
  if (!sessionId) {
    await ctx.say(ctx.m.nothingToExport);
    return;
  }
  const done = await ctx.core.lanes.markExport(ctx.address);
  try {
    const account = accountFor(ctx);
    let draft: Draft | undefined;
    try {
      draft = (await account.state(sessionId, signal)).draft;
    } catch (e) {
      if (!stopReason(signal)) await reportError(ctx, e, 'export state');
      return;
    }
    if (!draft || !isExportable(draft)) {
      await ctx.say(ctx.m.nothingToExport);
      return;
    }
    const { now } = ctx.core.clock;
    const job: Job = {
      id: newRenderId(now()),
      address: ctx.address,
      sessionId,
      phase: 'creating',
      createdAt: now(),
      lang: ctx.lang,
    };
    await ctx.core.jobs.save(job);
    const ref = await ctx.say(ctx.m.exportStarting);
    await driveJob(ctx, account, job, { draft, ref }, signal);
  } finally {
    await done();
  }
}

/**
 * Takes a stored job to the end: creates the render (with `draft`) or finds it again (resumed), polls, downloads,
 * posts once, drops the job. Failures are told to the chat; a shutdown leaves the job for the next process.
 */
export async function driveJob(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  opts: { draft?: Draft; ref?: SentRef | undefined },
  signal: AbortSignal,
): Promise<void> {
  const progress = progressMessage(ctx, job, opts.ref);
  try {
    if (job.phase === 'posting' && (await ctx.core.jobs.posted(job))) {
      // The earlier process posted it (or died sending it): posting is at most once.
      await ctx.core.jobs.drop(job);
      return;
    }
    if (job.phase === 'creating') await createRender(ctx, account, job, opts.draft, signal);
    if (job.phase === 'creating') return; // nothing left to render: told, dropped
    const status = await account.waitForRender(job.id, (s) => progress.show(s), signal);
    if (status.status !== 'completed') throw renderFailed(status);
    await progress.text(ctx.m.exportDownloading(progress.seconds()));
    const video = await fetchVideo(ctx, account, job, status, signal);
    await ctx.core.jobs.setPhase(job, 'posting');
    await post(ctx, job, video);
    await progress.text(ctx.m.exportDone(progress.seconds()));
    await ctx.core.jobs.drop(job);
  } catch (e) {
    const why = stopReason(signal);
    // Stopping, or another instance took the job over: it stays recorded for whoever finishes it.
    if (why === 'shutdown' || e instanceof LeaseLost) return;
    if (why === 'cancel') {
      await account.cancelRender(job.id, ctx.core.shutdown).catch(() => {});
      await ctx.core.jobs.drop(job).catch(() => {});
      return;
    }
    await ctx.core.jobs.drop(job).catch(() => {});
    await reportError(ctx, e, 'export');
  }
}

function renderFailed(status: RenderStatus): NemoError {
  return new NemoError({ code: 'render_failed', kind: 'refused' }, `render ${status.status}`);
}

/** Downloads the MP4 when it fits the chat's limit; else (or when the download says too large) a link. */
async function fetchVideo(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  status: RenderStatus,
  signal: AbortSignal,
): Promise<VideoOut> {
  await ctx.core.jobs.setPhase(job, 'downloading');
  const { config } = ctx.core;
  const url = status.url ?? `${config.NEMO_API_URL.replace(/\/+$/, '')}/api/render/proxy/${job.id}/download`;
  const base: VideoOut = { url, caption: ctx.m.videoCaption, linkText: videoLinkText(ctx, status.size) };
  if (status.durationSec !== undefined) base.durationSec = status.durationSec;
  if (status.size !== undefined) base.size = status.size;
  const limit = ctx.chat.videoLimitBytes;
  const asLink = base;
  if (status.size !== undefined && status.size > limit) return asLink;
  // A working copy: the engine deletes it once posted; a chat that keeps videos (the terminal) copies it out.
  const dir = path.resolve(config.EXPORT_DIR, 'tmp');
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, `${job.id.replace(/[^\w.-]/g, '_')}.mp4`);
  try {
    const file = await account.downloadRender(
      {
        id: job.id,
        dest,
        ...(status.url !== undefined && { url: status.url }),
        ...(Number.isFinite(limit) && { maxBytes: limit }),
      },
      signal,
    );
    return { ...base, path: file.path, size: file.size };
  } catch (e) {
    if (isNemoError(e, 'file_too_large')) return asLink;
    if (stopReason(signal) || !status.url) throw e;
    ctx.log.warn({ code: isNemoError(e) ? e.code : undefined }, 'download failed; posting the link');
    return asLink;
  }
}

async function post(ctx: ChatCtx, job: Job, video: VideoOut): Promise<void> {
  if (!(await ctx.core.jobs.markPosted(job))) {
    ctx.log.info({ render: job.id }, 'render already posted');
    if (video.path) await rm(video.path, { force: true }).catch(() => {});
    return;
  }
  ctx.chat.activity?.('upload_video').catch(() => {});
  try {
    await ctx.chat.sendVideo({ lang: ctx.lang, ...video });
  } catch (e) {
    ctx.log.warn({ render: job.id, err: String(e) }, 'sending the video failed; posting the link');
    await ctx.say(`${video.linkText}\n${video.url}`);
  } finally {
    if (video.path) await rm(video.path, { force: true }).catch(() => {});
  }
  ctx.log.info({ render: job.id, file: Boolean(video.path) }, 'video posted');
}

/** The one status message of an export: edited with percentage and elapsed seconds, unchanged text skipped. */
function progressMessage(ctx: ChatCtx, job: Job, first: SentRef | undefined) {
  let ref = first;
  let last: string | undefined;
  const seconds = () => Math.max(0, Math.round((ctx.core.clock.now() - job.createdAt) / 1000));
  const text = async (t: string) => {
    if (t === last) return;
    last = t;
    ref = await ctx.update(ref, t);
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
