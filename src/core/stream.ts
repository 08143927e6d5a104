// Relays one agent stream to the chat (docs/decisions.md decision 3): only text the agent meant for the user,
// with its GUI-speak taken out (decision 7); tool calls and results stay internal. Heartbeats run while the
// stream is open; a 'stuck' stream is told and stopped.

import type { NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { livePreview } from './drafts.ts';
import { analyseAgentText, type GuiAction } from './gui.ts';
import { startHeartbeat } from './heartbeat.ts';
import { Stop } from './lanes.ts';

export interface StreamOutcome {
  /** Some agent text reached the user. */
  relayed: boolean;
  /** The agent used tools (real work happened). */
  work: boolean;
  /** GUI instructions found in the text, in order, once each. */
  actions: GuiAction[];
  /** An Export button was already put under a relayed message. */
  offered: boolean;
  /** The stream reported an error event. */
  error: boolean;
  /** An error event with no agent text after it: the turn failed, whatever was said before (tell the user). */
  failed: boolean;
  /** Only heartbeats for SSE_STUCK_MS: the user was told, the turn stopped. */
  stuck: boolean;
}

/** The backend's apology that often trails a turn that worked ("I encountered a temporary issue"). */
const TEMPORARY_ISSUE = /encountered a temporary issue|temporary issue|遇到了?(?:一个)?临时(?:性)?问题/iu;

export async function relayStream(
  ctx: ChatCtx,
  account: NemoAccount,
  sessionId: string,
  text: string,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  const out: StreamOutcome = {
    relayed: false,
    work: false,
    actions: [],
    offered: false,
    error: false,
    failed: false,
    stuck: false,
  };
  const stuck = new AbortController();
  const sig = AbortSignal.any([signal, stuck.signal]);
  const heartbeat = startHeartbeat(ctx, sig);
  const preview = livePreview(ctx);
  ctx.chat.activity?.('typing').catch(() => {});
  ctx.core.metrics.streamOpened();
  try {
    for await (const ev of account.chat(sessionId, text, sig)) {
      if (ev.type === 'tool_call' || ev.type === 'tool_result') {
        out.work = true;
      } else if (ev.type === 'partial') {
        preview.add(ev.text);
      } else if (ev.type === 'text') {
        preview.end();
        if (TEMPORARY_ISSUE.test(ev.text) && (out.work || out.relayed)) continue;
        const gui = analyseAgentText(ev.text);
        for (const a of gui.actions) if (!out.actions.includes(a)) out.actions.push(a);
        if (!gui.text) continue;
        const offer = gui.offerExport && !(await ctx.core.lanes.hasExport(ctx.address));
        await ctx.say(offer ? { text: gui.text, buttons: ['export'] } : gui.text);
        out.offered ||= offer;
        out.relayed = true;
        out.failed = false;
        heartbeat.seen();
        ctx.chat.activity?.('typing').catch(() => {});
      } else if (ev.type === 'error') {
        ctx.log.warn({ code: ev.code }, 'agent stream reported an error');
        out.error = true;
        out.failed = true;
      } else if (ev.type === 'stuck') {
        ctx.log.warn({}, 'agent stream stuck: only heartbeats');
        await ctx.say(ctx.m.stuck);
        out.stuck = true;
        stuck.abort(new Stop('stuck'));
        break;
      }
    }
  } catch (e) {
    // Our own stop for a stuck stream ends the turn quietly: the user was told.
    if (!(stuck.signal.aborted && !signal.aborted)) throw e;
  } finally {
    preview.end();
    ctx.core.metrics.streamClosed();
    await heartbeat.stop();
  }
  return out;
}
