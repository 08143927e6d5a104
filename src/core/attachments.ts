// Files sent with a message: refused by what the adapter tells (size, a missing path, a link's form) BEFORE any
// byte moves, then by their content (src/core/sniff.ts) before any byte reaches NemoVideo, then uploaded to the
// session (a public URL is handed to NemoVideo to fetch; anything else is streamed, never held in memory).
// The one place that refuses a file: adapters pass the facts.

import { isNemoError } from '../nemo/errors.ts';
import { formatOf, type SupportedFormat } from '../nemo/formats.ts';
import type { NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { formatList, Refusal } from './errors.ts';
import type { Attachment, InboundMessage } from './ports.ts';
import { sniff } from './sniff.ts';

/** The refusal to show for a whole message (an oversized prompt, a file that cannot be taken), or undefined. */
export function refuseMessage(ctx: ChatCtx, msg: InboundMessage): string | undefined {
  const max = ctx.core.config.MAX_PROMPT_CHARS;
  // UTF-16 units are never fewer than characters: count characters only when it may matter.
  if (msg.text.length > max) {
    const chars = [...msg.text].length;
    if (chars > max) return ctx.m.promptTooLong(chars, max);
  }
  return refuseAttachments(ctx, msg.attachments);
}

/**
 * A link NemoVideo may be asked to fetch: http(s) only, no user name or password in it (it would travel to
 * NemoVideo and sit in its logs), no broken %-escapes (a server chokes on them).
 */
export function refuseUrl(ctx: ChatCtx, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
    for (const part of u.pathname.split('/')) decodeURIComponent(part);
  } catch {
    return ctx.m.urlMalformed(url);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return ctx.m.urlScheme(u.protocol.slice(0, -1));
  if (u.username || u.password) return ctx.m.urlCredentials;
  return undefined;
}

/** The refusal to show, or undefined when every attachment may be uploaded. */
export function refuseAttachments(ctx: ChatCtx, attachments: Attachment[]): string | undefined {
  const maxMb = ctx.core.config.MAX_UPLOAD_MB;
  const maxBytes = maxMb * 1024 * 1024;
  const lines: string[] = [];
  for (const a of attachments) {
    const size = a.size ?? 0;
    // The tighter limit is the one worth telling: a local Bot API server allows more than MAX_UPLOAD_MB.
    const platformLimit = a.limitBytes !== undefined && a.limitBytes < maxBytes ? a.limitBytes : undefined;
    const badUrl = a.url === undefined ? undefined : refuseUrl(ctx, a.url);
    if (a.missing)
      lines.push(a.spacedPath ? ctx.m.fileNotFoundQuote(a.name, a.spacedPath) : ctx.m.fileNotFound(a.name));
    else if (a.directory) lines.push(ctx.m.isDirectory(a.name));
    else if (badUrl) lines.push(badUrl);
    else if (!formatOf(a)) lines.push(ctx.m.attachmentUnsupported(a.name, formatList()));
    else if (a.size === 0) lines.push(ctx.m.attachmentEmpty(a.name));
    else if (platformLimit !== undefined && size > platformLimit)
      lines.push(ctx.m.attachmentOverPlatformLimit(a.name, size, platformLimit, ctx.platform));
    else if (size > maxBytes) lines.push(ctx.m.attachmentTooLarge(a.name, maxMb));
    else if (!a.url && !a.open) lines.push(ctx.m.attachmentUnreadable(a.name));
  }
  return lines.length ? lines.join('\n') : undefined;
}

/** Opens the attachment and checks its first bytes; returns a stream of the whole file, or throws a Refusal. */
async function checkedStream(
  ctx: ChatCtx,
  a: Attachment & { open: NonNullable<Attachment['open']> },
  named: SupportedFormat,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const v = await sniff(await a.open(signal), named);
  if (v.ok) return v.stream;
  if (v.why === 'empty') throw new Refusal('empty_file', ctx.m.attachmentEmpty(a.name));
  if (v.why === 'mismatch')
    throw new Refusal('content_mismatch', ctx.m.attachmentMismatch(a.name, v.named, v.content));
  throw new Refusal('not_media', ctx.m.attachmentNotMedia(a.name, v.content, formatList()));
}

/** NemoVideo said no to a link it was to download (a 4xx other than "no such route"): tell which host. */
function unfetchable(ctx: ChatCtx, url: string, e: unknown): Refusal | undefined {
  if (!isNemoError(e) || e.kind !== 'refused' || e.code !== 'backend') return undefined;
  if (e.status === undefined || e.status < 400 || e.status >= 500 || e.status === 404) return undefined;
  return new Refusal('url_unfetchable', ctx.m.urlUnfetchable(new URL(url).host));
}

/** Uploads every attachment to the session, in order; each is checked by its content first where it can be read. */
export async function uploadAttachments(
  ctx: ChatCtx,
  account: NemoAccount,
  sessionId: string,
  attachments: Attachment[],
  signal: AbortSignal,
): Promise<void> {
  for (const a of attachments) {
    const named = formatOf(a);
    // refuseAttachments let only supported formats through; this keeps the types honest.
    if (!named) throw new Refusal('not_media', ctx.m.attachmentUnsupported(a.name, formatList()));
    const stream = a.open ? await checkedStream(ctx, { ...a, open: a.open }, named, signal) : undefined;
    if (a.url) {
      // The content passed; NemoVideo fetches the file itself (the stream was only for the check).
      void stream?.cancel().catch(() => {});
      try {
        await account.uploadUrls(sessionId, [a.url], signal);
      } catch (e) {
        throw unfetchable(ctx, a.url, e) ?? e;
      }
    } else if (stream) {
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
    ctx.log.info({ format: named, size: a.size }, 'attachment uploaded');
  }
}
