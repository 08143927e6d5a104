// After a stream broke once the message was delivered (docs/decisions.md decision 2): never re-send (each send may
// cost credits). Look at the state instead: at RECOVERY_FIRST_MS, then every RECOVERY_EVERY_MS; a changed
// draft is summarised and ends the watch; RECOVERY_CHECKS unchanged looks end it with "check later".

import { setTimeout as sleep } from 'node:timers/promises';
import type { Draft, NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { stopReason } from './lanes.ts';
import { describeChanges, isExportable, summariseDraft } from './timeline.ts';

export async function recoverAfterBreak(
  ctx: ChatCtx,
  account: NemoAccount,
  sessionId: string,
  before: Draft | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { config } = ctx.core;
  await ctx.say(ctx.m.connectionLost);
  const was = JSON.stringify(before ?? null);
  for (let check = 0; check < Math.max(1, config.RECOVERY_CHECKS); check++) {
    try {
      await sleep(check === 0 ? config.RECOVERY_FIRST_MS : config.RECOVERY_EVERY_MS, undefined, { signal });
      const after = (await account.state(sessionId, signal)).draft;
      if (JSON.stringify(after ?? null) === was) continue;
      const lines = describeChanges(before, after, ctx.lang) ?? summariseDraft(after, ctx.lang);
      if (!lines) continue;
      const ready = !isExportable(before) && isExportable(after);
      const text = ctx.m.recoveredChanges(lines);
      await ctx.say(ready ? { text, buttons: ['export', 'status'] } : text);
      ctx.log.info({ check }, 'recovered after a broken stream');
      return;
    } catch (e) {
      if (stopReason(signal) || signal.aborted) return;
      // A failed look counts as an unchanged one: the backend may be briefly away.
      ctx.log.debug({ check, err: String(e) }, 'recovery check failed');
    }
  }
  await ctx.say(ctx.m.recoveryGaveUp);
}
