// Commands that never wait for the chat's lane (docs/decisions.md decision 4): help, credits, status, upload, lang,
// open, cancel — and reset, which refuses while work runs instead of waiting. Who may run them is checked
// before, from the command table (src/core/dispatch.ts).

import { messages } from '../i18n/index.ts';
import { renewSession, withSession } from './account.ts';
import type { ChatCtx } from './context.ts';
import { formatList, reportError } from './errors.ts';
import { parseLang } from './language.ts';
import type { ButtonAction } from './ports.ts';
import { isExportable, summariseDraft } from './timeline.ts';

export async function help(ctx: ChatCtx): Promise<void> {
  await ctx.say(ctx.m.help(ctx.m.helpExamples));
}

export async function uploadHowTo(ctx: ChatCtx): Promise<void> {
  // A terminal has no attach button: there a file comes in through /upload <path|URL>.
  const how = ctx.platform === 'terminal' ? ctx.m.uploadHowToTerminal : ctx.m.uploadHowTo;
  await ctx.say(how(formatList(), ctx.core.config.MAX_UPLOAD_MB));
}

export async function credits(ctx: ChatCtx): Promise<void> {
  const signal = ctx.core.shutdown;
  try {
    const account = ctx.core.accounts.for(ctx);
    // 1002 never reached anything: the check runs again once the stale session is replaced.
    const c = await account
      .credits(signal)
      .catch(async (e: unknown) => (await renewSession(ctx, signal, e)).account.credits(signal));
    await ctx.say(ctx.m.credits(c));
  } catch (e) {
    await reportError(ctx, e, 'credits');
  }
}

/** What the chat is doing right now, as lines to put above a status answer. */
async function activity(ctx: ChatCtx): Promise<string[]> {
  const lines: string[] = [];
  const current = await ctx.core.lanes.current(ctx.address);
  if (current?.kind === 'turn') {
    lines.push(ctx.m.turnInProgress(Math.floor((Date.now() - current.startedAt) / 60_000)));
  }
  if (await ctx.core.lanes.hasExport(ctx.address)) lines.push(ctx.m.exportInProgress);
  return lines;
}

export async function status(ctx: ChatCtx): Promise<void> {
  const sessionId = ctx.record.sessionId;
  const busy = await activity(ctx);
  if (!sessionId) {
    // While the first turn runs, "describe your video first" would contradict "working on your request".
    await ctx.say((busy.length ? busy : [ctx.m.nothingYet]).join('\n'));
    return;
  }
  const cost = await ctx.core.team.statusLines(ctx);
  try {
    const signal = ctx.core.shutdown;
    const state = await withSession(ctx, signal, (s) => s.account.state(s.sessionId, signal));
    const summary = summariseDraft(state.draft, ctx.lang);
    const buttons: ButtonAction[] = isExportable(state.draft) && busy.length === 0 ? ['export'] : [];
    const text = (summary ? [...busy, summary, ...cost] : busy.length ? busy : [ctx.m.nothingYet]).join('\n');
    await ctx.say(buttons.length ? { text, buttons } : { text });
  } catch (e) {
    await reportError(ctx, e, 'status');
  }
}

export async function open(ctx: ChatCtx): Promise<void> {
  const { sessionId, taskId } = ctx.record;
  if (!sessionId || !taskId) {
    await ctx.say(ctx.m.openNothing);
    return;
  }
  try {
    const signal = ctx.core.shutdown;
    const link = await withSession(ctx, signal, (s) =>
      s.account.claimLink({ taskId: ctx.record.taskId ?? taskId, sessionId: s.sessionId }, signal),
    );
    // The link opens the project for whoever has it: only the asker may see it (a DM from a group).
    await ctx.say({ text: ctx.m.openLink(link), private: true, again: '/open' });
  } catch (e) {
    await reportError(ctx, e, 'claim link');
  }
}

export async function lang(ctx: ChatCtx, arg: string | undefined): Promise<void> {
  if (!arg) {
    await ctx.say(ctx.m.langCurrent(ctx.m.langName(ctx.lang), ctx.record.lang !== undefined));
    return;
  }
  const chosen = parseLang(arg);
  if (!chosen) {
    await ctx.say(ctx.m.langUnknown);
    return;
  }
  await ctx.core.sessions.update(ctx.address, (r) => {
    r.lang = chosen;
  });
  const m = messages(chosen);
  await ctx.say(m.langSet(m.langName(chosen)));
}

export async function reset(ctx: ChatCtx): Promise<void> {
  if (await ctx.core.lanes.busy(ctx.address)) {
    await ctx.say(ctx.m.resetBusy);
    return;
  }
  await ctx.core.sessions.update(ctx.address, (r) => {
    delete r.sessionId;
    delete r.taskId;
    delete r.sessionLang;
  });
  await ctx.say(ctx.m.resetDone);
}

export async function cancel(ctx: ChatCtx): Promise<void> {
  const { running, dropped } = await ctx.core.lanes.cancel(ctx.address, 'cancel');
  const lines: string[] = [];
  if (running === 'turn') lines.push(ctx.m.cancelledTurn);
  if (running === 'export') lines.push(ctx.m.cancelledExport);
  if (dropped > 0) lines.push(ctx.m.cancelledQueue(dropped));
  await ctx.say(lines.length ? lines.join('\n') : ctx.m.nothingToCancel);
}
