// What the everyday loop keeps per chat, inside the chat's session record (cached, written through): the
// project's brief (for "Another take"), who asked last (for /history after a restart), the house defaults,
// and a prompt awaiting a typed answer (Telegram's "reply with your brand notes"). Plus the small facts the
// loop derives: a project tag for buttons and who a message is from.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ChatCtx } from './context.ts';
import type { InboundMessage, Requester } from './ports.ts';

export const ASPECTS = ['9:16', '1:1', '16:9'] as const;
export type Aspect = (typeof ASPECTS)[number];

export const loopSchema = z.object({
  brief: z.string().optional(),
  by: z.object({ id: z.string(), name: z.string() }).optional(),
  settings: z
    .object({
      aspect: z.enum(ASPECTS).optional(),
      lengthSec: z.number().int().optional(),
      notes: z.string().optional(),
      delivery: z.enum(['file', 'link']).optional(),
    })
    .optional(),
  awaiting: z
    .object({ kind: z.literal('notes'), userId: z.string(), messageId: z.string(), until: z.number() })
    .optional(),
});

export type LoopRecord = z.infer<typeof loopSchema>;
export type ChatSettings = NonNullable<LoopRecord['settings']>;

/** A brief is kept for "Another take" up to this length (the agent got all of it already). */
const BRIEF_MAX = 1_000;

/**
 * A short tag of the chat's project (its NemoVideo session): buttons carry it, so a press after /reset (a new
 * session) is told apart from a press on the current project. Not a secret: a hash, cut short.
 */
export function projectTag(sessionId: string | undefined): string | undefined {
  if (!sessionId) return undefined;
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 8);
}

/** Who sent a message; the message id only when the user wrote one (a press has no message of theirs). */
export function requesterOf(msg: InboundMessage): Requester {
  const r: Requester = { userId: msg.sender.id, name: msg.sender.displayName };
  if (msg.messageId && !msg.press && !msg.command) r.messageId = msg.messageId;
  // A typed command (`/export`) is a message of the user's too; a button press is not.
  if (msg.messageId && msg.command && msg.text.trim().startsWith('/')) r.messageId = msg.messageId;
  return r;
}

export function loopOf(ctx: Pick<ChatCtx, 'record'>): LoopRecord {
  return ctx.record.loop ?? {};
}

/** Changes the chat's loop record (written through with the session record). */
export async function updateLoop(ctx: ChatCtx, change: (loop: LoopRecord) => void): Promise<void> {
  await ctx.core.sessions.update(ctx.address, (r) => {
    const loop: LoopRecord = r.loop ?? {};
    change(loop);
    r.loop = loop;
  });
}

/**
 * Remembers a typed prompt as the project's brief when it starts a project (no session yet, or none kept),
 * and who asked. Best effort: a store failure must not stop the prompt.
 */
export async function rememberPrompt(ctx: ChatCtx, text: string, by: Requester | undefined): Promise<void> {
  const brief = text.trim();
  const starts = !ctx.record.sessionId || !loopOf(ctx).brief;
  // Written only when something changes: most prompts are follow-ups by the same person.
  const newBy = by && (loopOf(ctx).by?.id !== by.userId || loopOf(ctx).by?.name !== by.name);
  if (!newBy && !(brief && starts)) return;
  await updateLoop(ctx, (l) => {
    if (brief && starts) l.brief = brief.slice(0, BRIEF_MAX);
    if (by && newBy) l.by = { id: by.userId, name: by.name };
  }).catch((e: unknown) => ctx.log.warn({ err: String(e) }, 'could not remember the brief'));
}
