// One agent turn: attachments first, then the text over SSE; then whatever the turn left to say (GUI
// actions, a change summary when the agent said nothing, the Export button once a video exists).

import { isNemoError } from '../nemo/errors.ts';
import type { Draft, NemoAccount } from '../nemo/types.ts';
import { ensureSession, type Session } from './account.ts';
import { resultButtons } from './actions.ts';
import { uploadAttachments } from './attachments.ts';
import type { ChatCtx } from './context.ts';
import { reportError } from './errors.ts';
import { exportVideo } from './export.ts';
import { stopReason } from './lanes.ts';
import { notifyField } from './notify.ts';
import type { Attachment, OutMessage } from './ports.ts';
import { recoverAfterBreak } from './recovery.ts';
import { trySave } from './saving.ts';
import { relayStream, type StreamOutcome } from './stream.ts';
import { describeChanges, isExportable, summariseDraft } from './timeline.ts';

export interface TurnInput {
  text: string;
  attachments: Attachment[];
}

export async function agentTurn(ctx: ChatCtx, input: TurnInput, signal: AbortSignal): Promise<void> {
  const text = input.text.trim();
  let session: Session | undefined;
  let before: Draft | undefined;
  for (let attempt = 0; !session; attempt++) {
    try {
      const s = await ensureSession(ctx, signal, attempt > 0 ? { fresh: true } : {});
      if (attempt > 0) await ctx.say(ctx.m.newSession);
      // An existing session's draft, to tell later what this turn changed (a new session's is empty).
      before = s.created ? undefined : await draftOf(ctx, s.account, s.sessionId, signal);
      if (input.attachments.length > 0) {
        const names = input.attachments.map((a) => a.name).join(', ');
        await uploadAttachments(ctx, s.account, s.sessionId, input.attachments, signal);
        await ctx.say(text ? ctx.m.uploaded(names) : `${ctx.m.uploaded(names)}\n${ctx.m.uploadedAsk}`);
      }
      session = s;
    } catch (e) {
      if (stopReason(signal)) return;
      // The stored session is gone (1002 on an upload): once, in a new one.
      if (attempt === 0 && isNemoError(e, 'session_not_found')) continue;
      await reportError(ctx, e, 'turn setup');
      return;
    }
  }
  if (!text) return;
  // Recorded so that a restart tells the chat; a store that cannot record it does not cost the user the answer.
  await trySave(ctx, 'turn', () => ctx.core.jobs.markTurn(ctx.address, text, ctx.lang));
  // Accepted before the agent hears it: a re-delivered copy must never send it again (decision 2).
  await ctx.accepted?.();
  const started = Date.now();
  ctx.core.metrics.turnStarted();
  try {
    await talk(ctx, session, text, before, signal);
  } catch (e) {
    // Whatever escapes the turn is told, never only logged.
    if (stopReason(signal)) return;
    await reportError(ctx, e, 'agent turn');
  } finally {
    ctx.core.metrics.turnEnded(Date.now() - started, stopReason(signal) ?? 'done');
    // A turn cut by shutdown stays recorded: the next process tells the chat instead of re-sending.
    if (stopReason(signal) !== 'shutdown') await ctx.core.jobs.clearTurn(ctx.address).catch(() => {});
  }
}

async function draftOf(
  ctx: ChatCtx,
  account: NemoAccount,
  sessionId: string,
  signal: AbortSignal,
): Promise<Draft | undefined> {
  try {
    return (await account.state(sessionId, signal)).draft;
  } catch (e) {
    if (stopReason(signal)) throw e;
    ctx.log.debug({ code: isNemoError(e) ? e.code : undefined }, 'state before the turn unavailable');
    return undefined;
  }
}

async function talk(
  ctx: ChatCtx,
  first: Session,
  text: string,
  before: Draft | undefined,
  signal: AbortSignal,
): Promise<void> {
  let session = first;
  let outcome: StreamOutcome | undefined;
  for (let attempt = 0; !outcome; attempt++) {
    try {
      const { account, sessionId } = session;
      outcome = await ctx.core.team.measureTurn(ctx, () =>
        relayStream(ctx, account, sessionId, text, signal),
      );
    } catch (e) {
      if (stopReason(signal)) return; // cancelled or stopping: whoever stopped it told the user
      if (isNemoError(e, 'session_not_found') && !e.delivered && attempt === 0) {
        // Not delivered: the message never reached an agent, so sending it once in a new session is safe.
        try {
          session = await ensureSession(ctx, signal, { fresh: true });
        } catch (e2) {
          if (!stopReason(signal)) await reportError(ctx, e2, 'new session');
          return;
        }
        before = undefined;
        await ctx.say(ctx.m.newSession);
        continue;
      }
      // Delivered, then cut (a broken connection, or a budget that ran out): never re-send; look at the state.
      if (isNemoError(e) && e.delivered && ['stream_broken', 'unreachable', 'timeout'].includes(e.code)) {
        ctx.log.warn({ code: e.code }, 'stream broke after delivery; checking the state');
        await recoverAfterBreak(ctx, session.account, session.sessionId, before, signal);
        return;
      }
      await reportError(ctx, e, 'agent turn');
      return;
    }
  }
  if (outcome.stuck) return;
  await finish(ctx, session, before, outcome, signal);
}

/** What the turn leaves to say once the stream closed. */
async function finish(
  ctx: ChatCtx,
  session: Session,
  before: Draft | undefined,
  outcome: StreamOutcome,
  signal: AbortSignal,
): Promise<void> {
  const { actions } = outcome;
  const wantsState =
    !outcome.relayed || outcome.work || actions.includes('state') || actions.includes('summary');
  let after: Draft | undefined;
  let known = false;
  if (wantsState) {
    try {
      after = (await session.account.state(session.sessionId, signal)).draft;
      known = true;
    } catch (e) {
      if (stopReason(signal)) return;
      ctx.log.debug({ code: isNemoError(e) ? e.code : undefined }, 'state after the turn unavailable');
    }
  }
  // A result the user can act on: a video that became exportable, or one this turn worked on (issue 14).
  const ready = known && isExportable(after) && (!isExportable(before) || outcome.work);
  const readyButtons = resultButtons(ctx, session.sessionId);
  const withButtons = (text: string): OutMessage =>
    ready && !actions.includes('export') ? { text, buttons: readyButtons, ...notifyField(ctx) } : { text };
  let said = outcome.relayed;
  let buttonsShown = outcome.offered;

  if (actions.includes('describe')) {
    await ctx.say(ctx.m.describeEdit);
    said = true;
  }
  if (actions.includes('state') || actions.includes('summary')) {
    const msg = withButtons(summariseDraft(after, ctx.lang) ?? ctx.m.nothingYet);
    await ctx.say(msg);
    said = true;
    buttonsShown ||= Boolean(msg.buttons);
  }
  // The stream ended on an error: the turn failed, even after "Working on it." (text before it says nothing of
  // the end). Without work there is nothing else to show; with work, what changed follows.
  if (outcome.failed) {
    await ctx.say(ctx.m.agentError);
    if (!outcome.work) return;
  }
  if (!said && !actions.includes('export')) {
    const changes = describeChanges(before, after, ctx.lang);
    const text = changes ? ctx.m.changes(changes) : (summariseDraft(after, ctx.lang) ?? ctx.m.done);
    const msg = withButtons(text);
    await ctx.say(msg);
    buttonsShown ||= Boolean(msg.buttons);
  }
  if (ready && !buttonsShown && !actions.includes('export')) {
    await ctx.say({ text: ctx.m.readyToExport, buttons: readyButtons, ...notifyField(ctx) });
  }
  // "Click Export": the bot does it. A queued export of this chat will do it anyway: never render twice.
  if (actions.includes('export') && !(await ctx.core.lanes.hasExport(ctx.address)))
    await exportVideo(ctx, signal);
}
