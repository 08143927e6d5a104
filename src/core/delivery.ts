// The last leg of an export: the MP4 fetched to a working copy (or a link), then posted AT LEAST once
// (design decision 11). The attempt is recorded before anything is sent and the post marked only after the
// platform confirmed it, so a crash in between makes the next process post again rather than leave a paid
// video unposted. Where the platform can drop a repeat (Discord's nonce) the video carries its render id.

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isNemoError } from '../nemo/errors.ts';
import type { CompletedRender, NemoAccount } from '../nemo/types.ts';
import { type ChatCtx, errInfo } from './context.ts';
import type { Job } from './jobs.ts';
import { stopReason } from './lanes.ts';
import { videoLinkText } from './notices.ts';
import type { VideoOut } from './ports.ts';
import { trySave } from './saving.ts';

/** From this attempt on the video goes as a link: an upload that failed (or killed the process) twice. */
const LINK_FROM_ATTEMPT = 3;
/** After this many attempts nothing was ever confirmed: the job is given up (logged). */
const MAX_ATTEMPTS = 6;

/** Downloads the MP4 when it fits the chat's limit; else (or when the download fails) a link. */
export async function fetchVideo(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  status: CompletedRender,
  signal: AbortSignal,
): Promise<VideoOut> {
  job.phase = 'downloading';
  await trySave(ctx, 'render', () => ctx.core.jobs.update(job));
  const url = status.url ?? status.downloadUrl;
  const asLink: VideoOut = { url, caption: ctx.m.videoCaption, linkText: videoLinkText(ctx, status.size) };
  if (status.durationSec !== undefined) asLink.durationSec = status.durationSec;
  if (status.size !== undefined) asLink.size = status.size;
  const limit = ctx.chat.videoLimitBytes;
  if (status.size !== undefined && status.size > limit) return asLink;
  if (job.postAttempts !== undefined && job.postAttempts + 1 >= LINK_FROM_ATTEMPT) return asLink;
  // A working copy: deleted once posted; a chat that keeps videos (the terminal) copies it out.
  const dir = path.resolve(ctx.core.config.EXPORT_DIR, 'tmp');
  const dest = path.join(dir, `${job.id.replace(/[^\w.-]/g, '_')}.mp4`);
  try {
    await mkdir(dir, { recursive: true });
    const file = await account.downloadRender(
      {
        id: job.id,
        dest,
        ...(status.url !== undefined && { url: status.url }),
        ...(Number.isFinite(limit) && { maxBytes: limit }),
      },
      signal,
    );
    return { ...asLink, path: file.path, size: file.size };
  } catch (e) {
    if (isNemoError(e, 'file_too_large')) return asLink;
    if (stopReason(signal) || !status.url) throw e;
    ctx.log.warn({ err: errInfo(e) }, 'download failed; posting the link');
    return asLink;
  }
}

export type PostResult = 'posted' | 'retry' | 'gave_up';

/** Posts the video; 'retry' when the platform confirmed nothing (the job stays for a later attempt). */
export async function post(ctx: ChatCtx, job: Job, video: VideoOut): Promise<PostResult> {
  // Counted before the first byte goes out: after a crash, the next process knows it was attempted.
  await trySave(ctx, 'render', () => ctx.core.jobs.startPosting(job));
  const attempt = job.postAttempts ?? 1;
  let delivered = false;
  ctx.chat.activity?.('upload_video').catch(() => {});
  try {
    await ctx.chat.sendVideo({ lang: ctx.lang, ...video, key: job.id });
    delivered = true;
  } catch (e) {
    ctx.log.warn({ render: job.id, attempt, err: errInfo(e) }, 'sending the video failed; posting the link');
    // The file may have arrived anyway (a cut upload): a second copy as a link is better than none.
    if (video.path) delivered = (await ctx.say(`${video.linkText}\n${video.url}`)) !== undefined;
  } finally {
    if (video.path) await rm(video.path, { force: true }).catch(() => {});
  }
  if (!delivered) {
    ctx.log.warn({ render: job.id, attempt }, 'the platform confirmed no post');
    return attempt >= MAX_ATTEMPTS ? 'gave_up' : 'retry';
  }
  // Only now: a crash before this line posts again (at least once); after it, never again.
  await ctx.core.jobs
    .markPosted(job)
    .catch((e: unknown) => ctx.log.error({ render: job.id, err: errInfo(e) }, 'could not mark the post'));
  ctx.log.info({ render: job.id, attempt, file: Boolean(video.path) }, 'video posted');
  return 'posted';
}
