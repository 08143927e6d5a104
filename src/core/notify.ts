// Telling the person who asked (issue 14): the result of a long job replies to their message or mentions
// them (the adapter knows how: OutMessage.replyTo), and their message carries a receipt while the work runs
// (👀 → 👍 or 💔 on Telegram). Progress itself stays on one edited message; these add no messages.

import type { ChatCtx } from './context.ts';
import { stopReason } from './lanes.ts';
import type { Receipt, Requester } from './ports.ts';

/** `{ replyTo }` for a message that ends the requester's work (a result, a failure), or nothing. */
export function notifyField(ctx: Pick<ChatCtx, 'requester'>): { replyTo?: Requester } {
  return ctx.requester ? { replyTo: ctx.requester } : {};
}

/** Marks the requester's own message; cosmetic, so it never fails the work. */
export async function receipt(ctx: ChatCtx, stage: Receipt, requester = ctx.requester): Promise<void> {
  const id = requester?.messageId;
  if (!id || !ctx.chat.react) return;
  await ctx.chat.react(id, stage).catch((e: unknown) => ctx.log.debug({ err: String(e) }, 'receipt failed'));
}

/** After the work: 👍 when it went through, 💔 when it was reported as failed; nothing when it was stopped. */
export async function endReceipt(ctx: ChatCtx, signal?: AbortSignal): Promise<void> {
  if (stopReason(signal)) return;
  await receipt(ctx, ctx.failed ? 'failed' : 'done');
}
