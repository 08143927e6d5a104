// The words above a video that goes as a link (docs/decisions.md decision 16): the adapter only knows its limit
// (`ChatPort.videoLimitBytes`); the core says why it is a link, in the chat's language.

import type { ChatCtx } from './context.ts';

/** Over the platform's upload limit (size known to be, or unknown): says so; otherwise the plain notice. */
export function videoLinkText(ctx: ChatCtx, size: number | undefined): string {
  const limit = ctx.chat.videoLimitBytes;
  if (!Number.isFinite(limit) || (size !== undefined && size <= limit)) return ctx.m.videoAsLink;
  return ctx.m.videoOverLimit(ctx.platform, size, limit);
}
