// Files sent with a message: refused by size or format BEFORE any byte moves, then uploaded to the session
// (a public URL is handed to NemoVideo to fetch; anything else is streamed, never held in memory). The one
// place that refuses a file: adapters pass the facts (size, the platform's download limit, a missing path).

import { formatOf } from '../nemo/formats.ts';
import type { NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { formatList } from './errors.ts';
import type { Attachment } from './ports.ts';

/** The refusal to show, or undefined when every attachment may be uploaded. */
export function refuseAttachments(ctx: ChatCtx, attachments: Attachment[]): string | undefined {
  const maxMb = ctx.core.config.MAX_UPLOAD_MB;
  const maxBytes = maxMb * 1024 * 1024;
  const lines: string[] = [];
  for (const a of attachments) {
    const size = a.size ?? 0;
    // The tighter limit is the one worth telling: a local Bot API server allows more than MAX_UPLOAD_MB.
    const platformLimit = a.limitBytes !== undefined && a.limitBytes < maxBytes ? a.limitBytes : undefined;
    if (a.missing) lines.push(ctx.m.fileNotFound(a.name));
    else if (!formatOf(a)) lines.push(ctx.m.attachmentUnsupported(a.name, formatList()));
    else if (platformLimit !== undefined && size > platformLimit)
      lines.push(ctx.m.attachmentOverPlatformLimit(a.name, size, platformLimit, ctx.platform));
    else if (size > maxBytes) lines.push(ctx.m.attachmentTooLarge(a.name, maxMb));
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
