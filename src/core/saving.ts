// A store failure in the middle of a chat's work (design: "bad input loses nothing" applied to our own store).
// It must not escape the chat's task as a log line only: the chat is told once, in its language, what was
// kept, and the work goes on where it can (an agent answer still arrives, a paid render still gets posted).

import { type ChatCtx, errInfo } from './context.ts';
import { LeaseLost } from './instance.ts';

/** Which work the failed write belonged to (it picks the message the chat gets). */
export type SaveWhat = 'turn' | 'export' | 'render';

/** Chats told in this piece of work (a ChatCtx lives for one message or one resumed job). */
const told = new WeakSet<ChatCtx>();

/** Tells the chat once per piece of work that its progress could not be saved. */
export async function tellSaveFailed(ctx: ChatCtx, what: SaveWhat, e: unknown): Promise<void> {
  ctx.log.error({ err: errInfo(e), what }, 'store write failed');
  if (told.has(ctx)) return;
  told.add(ctx);
  await ctx.say(ctx.m.saveFailed(what));
}

/**
 * Runs a store write that the work can go on without: on failure the chat is told (once) and false returned.
 * Used where stopping would lose more than going on (a render already paid for, an answer on its way). A lost
 * lease is no store failure: another instance took the work over, so this one must stop (rethrown).
 */
export async function trySave(ctx: ChatCtx, what: SaveWhat, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e) {
    if (e instanceof LeaseLost) throw e;
    await tellSaveFailed(ctx, what, e);
    return false;
  }
}
