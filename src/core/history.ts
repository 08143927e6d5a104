// Past work (issue 14): every export posted to a chat is recorded in the state port under `history:<address>`
// (newest first, the last 50, no expiry: it survives restarts). /history lists them; /show <n> posts one again
// from the backend's URL, and when that has expired offers to render the current project again — only if it is
// still the same project, and only once the user agrees (a render may cost credits).

import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { loopMessages } from '../i18n/loop.ts';
import { isNemoError } from '../nemo/errors.ts';
import { videoButtons } from './actions.ts';
import { type ChatCtx, errInfo } from './context.ts';
import { reportError } from './errors.ts';
import { loopOf, projectTag } from './loop.ts';
import { readMp4Info } from './mp4.ts';
import { videoLinkText } from './notices.ts';
import type { ChatAddress, VideoOut } from './ports.ts';
import { linkOnly } from './settings.ts';

/** How many exports a chat keeps; /history shows the newest `SHOWN`. */
export const HISTORY_MAX = 50;
export const HISTORY_SHOWN = 10;

const entrySchema = z.object({
  id: z.string(),
  at: z.number(),
  url: z.string(),
  /** The project's tag (src/core/loop.ts): an expired video is rendered again only for the same project. */
  tag: z.string().optional(),
  brief: z.string().optional(),
  durationSec: z.number().optional(),
  size: z.number().optional(),
  cost: z.number().optional(),
  by: z.string().optional(),
  byId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof entrySchema>;

export const historyKey = (address: ChatAddress): string => `history:${address}`;

export async function readHistory(ctx: Pick<ChatCtx, 'core' | 'address'>): Promise<HistoryEntry[]> {
  const parsed = z.array(entrySchema).safeParse(await ctx.core.state.get(historyKey(ctx.address)));
  return parsed.success ? parsed.data : [];
}

/** What an export job gives the record (a cost when the team controls measured one). */
export interface ExportedJob {
  id: string;
  sessionId: string;
  cost?: number;
}

/** What a posted export carries besides the video: its actions and the person to tell. */
export function exportExtras(ctx: ChatCtx, job: ExportedJob): Pick<VideoOut, 'buttons' | 'replyTo'> {
  const buttons = videoButtons(projectTag(job.sessionId));
  return { ...(buttons.length > 0 && { buttons }), ...(ctx.requester && { replyTo: ctx.requester }) };
}

/**
 * Records a posted export. Call once the post is confirmed (the file or its link), before the working copy is
 * deleted (its header gives the length when the backend did not); a post made again after a crash
 * (at-least-once) replaces its entry rather than adding one. Never fails the export: failures are logged.
 */
export async function recordExport(ctx: ChatCtx, job: ExportedJob, video: VideoOut): Promise<void> {
  try {
    const loop = loopOf(ctx);
    const by = ctx.requester ? { id: ctx.requester.userId, name: ctx.requester.name } : loop.by;
    const entry: HistoryEntry = { id: job.id, at: Date.now(), url: video.url };
    const tag = projectTag(job.sessionId);
    if (tag) entry.tag = tag;
    if (loop.brief) entry.brief = loop.brief;
    // The backend does not always say how long a render is; the MP4's own header does.
    const durationSec =
      video.durationSec ?? (video.path ? (await readMp4Info(video.path)).durationSec : undefined);
    if (durationSec !== undefined) entry.durationSec = Math.round(durationSec * 10) / 10;
    if (video.size !== undefined) entry.size = video.size;
    if (job.cost !== undefined) entry.cost = job.cost;
    if (by) {
      entry.by = by.name;
      entry.byId = by.id;
    }
    const list = (await readHistory(ctx)).filter((e) => e.id !== job.id);
    await ctx.core.state.set(historyKey(ctx.address), [entry, ...list].slice(0, HISTORY_MAX));
  } catch (e) {
    ctx.log.warn({ err: errInfo(e), render: job.id }, 'could not record the export in /history');
  }
}

export async function historyCommand(ctx: ChatCtx): Promise<void> {
  const lm = loopMessages(ctx.lang);
  let list: HistoryEntry[];
  try {
    list = await readHistory(ctx);
  } catch (e) {
    await reportError(ctx, e, 'history');
    return;
  }
  if (list.length === 0) {
    await ctx.say(lm.historyEmpty);
    return;
  }
  const shown = list.slice(0, HISTORY_SHOWN);
  const lines = shown.map((e, i) =>
    lm.historyEntry({
      n: i + 1,
      at: e.at,
      url: e.url,
      ...(e.brief !== undefined && { brief: e.brief }),
      ...(e.durationSec !== undefined && { durationSec: e.durationSec }),
      ...(e.cost !== undefined && { cost: e.cost }),
      ...(e.by !== undefined && { by: e.by }),
    }),
  );
  await ctx.say([lm.historyHeading(shown.length, list.length), ...lines].join('\n'));
}

/** `/show <n>`: the n-th newest export posted again, or why not. */
export async function showCommand(ctx: ChatCtx, arg: string | undefined): Promise<void> {
  const lm = loopMessages(ctx.lang);
  let list: HistoryEntry[];
  try {
    list = await readHistory(ctx);
  } catch (e) {
    await reportError(ctx, e, 'show');
    return;
  }
  const raw = (arg ?? '').normalize('NFKC').trim().replace(/^#/, '');
  if (!raw) {
    await ctx.say(lm.showUsage(list.length));
    return;
  }
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  const entry = n >= 1 ? list[n - 1] : undefined;
  if (!entry) {
    await ctx.say(list.length === 0 ? lm.historyEmpty : lm.showOutOfRange(raw, list.length));
    return;
  }
  await ctx.say(lm.showPosting(n));
  await postAgain(ctx, n, entry);
}

async function postAgain(ctx: ChatCtx, n: number, entry: HistoryEntry): Promise<void> {
  const lm = loopMessages(ctx.lang);
  const account = ctx.core.accounts.for(ctx);
  const limit = ctx.chat.videoLimitBytes;
  const current = entry.tag !== undefined && entry.tag === projectTag(ctx.record.sessionId);
  const video: VideoOut = {
    url: entry.url,
    caption: lm.showCaption(n, entry.at),
    linkText: videoLinkText(ctx, entry.size),
    lang: ctx.lang,
    ...(entry.durationSec !== undefined && { durationSec: entry.durationSec }),
    ...(entry.size !== undefined && { size: entry.size }),
    ...(current && { buttons: videoButtons(entry.tag) }),
  };
  const dir = path.resolve(ctx.core.config.EXPORT_DIR, 'tmp');
  const dest = path.join(dir, `show-${entry.id.replace(/[^\w.-]/g, '_')}-${Date.now()}.mp4`);
  // A link-only chat, or a file over the platform's limit, still asks for the file: its headers tell that the
  // backend has it (too large → it is there), without moving its bytes.
  const maxBytes = linkOnly(ctx) ? 1 : Number.isFinite(limit) ? limit : undefined;
  try {
    await mkdir(dir, { recursive: true });
    const file = await account.downloadRender(
      { id: entry.id, url: entry.url, dest, ...(maxBytes !== undefined && { maxBytes }) },
      ctx.core.shutdown,
    );
    video.path = file.path;
    video.size = file.size;
  } catch (e) {
    if (!isNemoError(e, 'file_too_large')) {
      if (isNemoError(e) && e.kind === 'refused') {
        ctx.log.info({ render: entry.id }, 'history video expired');
        const tag = current ? entry.tag : undefined;
        await ctx.say(
          tag
            ? { text: lm.showExpired(n), buttons: [{ action: 'rerender', data: tag }, 'dismiss'] }
            : lm.showExpiredReset(n),
        );
        return;
      }
      await reportError(ctx, e, 'show');
      return;
    }
  }
  try {
    ctx.chat.activity?.('upload_video').catch(() => {});
    await ctx.chat.sendVideo(video);
  } catch (e) {
    ctx.log.warn({ err: errInfo(e) }, 'posting a history video failed; posting the link');
    await ctx.say(`${video.linkText}\n${video.url}`);
  } finally {
    if (video.path) await rm(video.path, { force: true }).catch(() => {});
  }
}
