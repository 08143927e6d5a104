// "⏳ Still working..." while an agent stream is open (the seed: every 2 minutes). Timed from the last output
// the user saw (docs/decisions.md decision 3): a relayed text restarts the count. One status message per quiet
// stretch: the first heartbeat posts it, later ones edit it with the elapsed time, so a 5-minute generation
// leaves one line, not three. After new output the next heartbeat posts a fresh message below it.

import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCtx } from './context.ts';
import type { SentRef } from './ports.ts';

export interface Heartbeat {
  /** The user just saw output: restart the count; the next heartbeat is a new message. */
  seen(): void;
  stop(): Promise<void>;
}

export function startHeartbeat(ctx: ChatCtx, signal: AbortSignal): Heartbeat {
  const { config } = ctx.core;
  const interval = config.HEARTBEAT_INTERVAL_MS;
  const stopper = new AbortController();
  if (interval <= 0) return { seen() {}, stop: async () => {} };
  const sig = AbortSignal.any([signal, stopper.signal]);
  const started = Date.now();
  let last = started;
  let ref: SentRef | undefined;
  let shown: string | undefined;
  // Bumped by seen(): a heartbeat sent while output arrived must not be edited below that output.
  let epoch = 0;

  const loop = (async () => {
    while (!sig.aborted) {
      try {
        await sleep(Math.max(1, last + interval - Date.now()), undefined, { signal: sig });
      } catch {
        return;
      }
      if (sig.aborted) return;
      if (Date.now() - last < interval) continue;
      ctx.core.metrics.heartbeatLateness(Date.now() - last - interval);
      const mine = epoch;
      const seconds = Math.floor((Date.now() - started) / 1000);
      const text = ref ? ctx.m.stillWorking(seconds) : ctx.m.stillWorking();
      // Platforms refuse an edit that changes nothing (Telegram: "message is not modified").
      if (!ref || text !== shown) {
        const sent = await ctx.update(ref, text);
        ref = mine === epoch ? sent : undefined;
        shown = text;
      }
      last = Date.now();
      ctx.chat.activity?.('typing').catch(() => {});
    }
  })();

  return {
    seen() {
      last = Date.now();
      ref = undefined;
      epoch++;
    },
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
