// Files sent with a message: refused by size or format BEFORE any byte moves, then uploaded to the session
// (a public URL is handed to NemoVideo to fetch; anything else is streamed, never held in memory).

import path from 'node:path';
import type { NemoAccount } from '../nemo/types.ts';
import { SUPPORTED_FORMATS } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { formatList } from './errors.ts';
import type { Attachment } from './ports.ts';

const BY_MIME: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/x-msvideo': 'avi',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
};

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_FORMATS);

/** The file's format: its extension, else its MIME type's. */
export function formatOf(a: Pick<Attachment, 'name' | 'mimeType'>): string | undefined {
  const ext = path.extname(a.name).slice(1).toLowerCase();
  if (ext) return ext;
  return a.mimeType ? BY_MIME[a.mimeType.toLowerCase().split(';')[0]!.trim()] : undefined;
}

/** The refusal to show, or undefined when every attachment may be uploaded. */
export function refuseAttachments(ctx: ChatCtx, attachments: Attachment[]): string | undefined {
  const maxMb = ctx.core.config.MAX_UPLOAD_MB;
  const lines: string[] = [];
  for (const a of attachments) {
    const format = formatOf(a);
    if (!format || !SUPPORTED.has(format)) lines.push(ctx.m.attachmentUnsupported(a.name, formatList()));
    else if (a.size !== undefined && a.size > maxMb * 1024 * 1024)
      lines.push(ctx.m.attachmentTooLarge(a.name, maxMb));
    else if (!a.url && !a.open) lines.push(ctx.m.attachmentUnreadable(a.name));
  }
  return lines.length ? lines.join('\n') : undefined;
}

/** Uploads every attachment to the session, in order. */
export async function uploadAttachments(
  ctx: ChatCtx,
  account: NemoAccount,
  sessionId: string,
  attachments: Attachment[],
  signal: AbortSignal,
): Promise<void> {
  for (const a of attachments) {
    if (a.url) {
      await account.uploadUrls(sessionId, [a.url], signal);
    } else if (a.open) {
      const stream = await a.open(signal);
      await account.upload(
        sessionId,
        {
          name: a.name,
          stream,
          ...(a.mimeType !== undefined && { mimeType: a.mimeType }),
          ...(a.size !== undefined && { size: a.size }),
        },
        signal,
      );
    }
    ctx.log.info({ format: formatOf(a), size: a.size }, 'attachment uploaded');
  }
}
