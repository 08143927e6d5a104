// Acting on a result in one tap (issue 14). A finished result and a delivered video carry the actions of
// src/i18n/actions.ts, each tagged with the project it belongs to. A press becomes a new, visible request in
// the chat ("↻ Another take of: …") and a clear instruction the bot writes for the agent, which then goes
// through the same door as a typed prompt (the chat's lane, quotas) — the user's earlier message is never sent
// again behind their back. A press on a project that was reset since is told, never applied to the new one.

import { actionSpec, RESULT_ACTIONS, VIDEO_ACTIONS } from '../i18n/actions.ts';
import { loopMessages } from '../i18n/loop.ts';
import { pressCommand } from './buttons.ts';
import type { ChatCtx } from './context.ts';
import type { Plan } from './dispatch.ts';
import { loopOf, projectTag } from './loop.ts';
import { notifyField } from './notify.ts';
import type { Button, InboundMessage, Press } from './ports.ts';
import { askNotes, awaitedNotes, changeSettings, clearAwaiting, mayChange, menuLine } from './settings.ts';

/** The actions under a finished result of the chat's current project (none without a project). */
export function resultButtons(ctx: Pick<ChatCtx, 'record'>, sessionId = ctx.record.sessionId): Button[] {
  const tag = projectTag(sessionId);
  return tag ? RESULT_ACTIONS.map((action) => ({ action, data: tag })) : [];
}

/** The actions under a posted video of the project tagged `tag` (see projectTag). */
export function videoButtons(tag: string | undefined): Button[] {
  return tag ? VIDEO_ACTIONS.map((action) => ({ action, data: tag })) : [];
}

/** `<tag>` or `<tag>.y` (confirmed) → its parts. */
function parseData(data: string | undefined): { tag?: string; confirmed: boolean } {
  if (!data) return { confirmed: false };
  const [tag, flag] = data.split('.');
  return tag ? { tag, confirmed: flag === 'y' } : { confirmed: false };
}

/**
 * What the engine does with a message before its usual routing: a press becomes a plan (or is answered here),
 * a reply to the bot's brand-notes prompt is taken as the notes. `undefined`: not the loop's, route as usual;
 * `'handled'`: answered, nothing more to do.
 */
export async function loopDoor(ctx: ChatCtx, msg: InboundMessage): Promise<Plan | 'handled' | undefined> {
  if (msg.press) return (await pressed(ctx, msg, msg.press)) ?? 'handled';
  if (!msg.command && awaitedNotes(ctx, msg.sender.id, msg.replyToId)) {
    await clearAwaiting(ctx);
    if (await mayChange(ctx, msg.sender)) await changeSettings(ctx, `notes ${msg.text}`);
    return 'handled';
  }
  return undefined;
}

async function pressed(ctx: ChatCtx, msg: InboundMessage, press: Press): Promise<Plan | undefined> {
  const lm = loopMessages(ctx.lang);
  if (press.action === 'unknown') {
    await ctx.say({ text: lm.unknownButton, ephemeral: true });
    return undefined;
  }
  const command = pressCommand(press);
  if (command) return { kind: 'command', command: { name: command } };
  const who = msg.sender.displayName;
  switch (press.action) {
    case 'dismiss':
      await ctx.say({ text: lm.dismissed, ephemeral: true });
      return undefined;
    case 'set': {
      const line = menuLine(press.data);
      if (!line) await ctx.say({ text: lm.unknownButton, ephemeral: true });
      else if (await mayChange(ctx, msg.sender)) await changeSettings(ctx, line);
      return undefined;
    }
    case 'notes':
      if (!(await mayChange(ctx, msg.sender))) return undefined;
      if (press.text !== undefined) await changeSettings(ctx, `notes ${press.text}`);
      else await askNotes(ctx, msg.sender.id);
      return undefined;
    case 'status':
    case 'credits':
      return { kind: 'command', command: { name: press.action } };
    default:
      break;
  }
  // Everything left acts on a project: only on the one its button was made for.
  const { tag, confirmed } = parseData(press.data);
  if (!tag || tag !== projectTag(ctx.record.sessionId)) {
    ctx.log.info({ action: press.action }, 'press on an earlier project; ignored');
    await ctx.say({ text: lm.staleButton, ephemeral: true });
    return undefined;
  }
  if (press.action === 'export' || press.action === 'rerender') {
    return { kind: 'command', command: { name: 'export' } };
  }
  if (press.action === 'edit') {
    if (press.text === undefined) {
      // Telegram: the answer is the user's own visible reply, which goes to the agent as typed.
      await ctx.say({ text: lm.editAsk, ask: true, ...notifyField(ctx) });
      return undefined;
    }
    if (!press.text.trim()) return undefined;
    // A modal's text is seen by nobody else: the chat sees the request before the answer.
    await ctx.say(lm.editBy(who, press.text));
    return { kind: 'agent', text: press.text };
  }
  const spec = actionSpec(press.action);
  const instruction = spec.instruction?.[ctx.lang];
  if (!instruction) {
    await ctx.say({ text: lm.unknownButton, ephemeral: true });
    return undefined;
  }
  const label = spec.label[ctx.lang];
  if (spec.paid && ctx.core.config.CONFIRM_PAID_ACTIONS && !confirmed) {
    await ctx.say({
      text: lm.confirmPaid(label),
      buttons: [{ action: press.action, data: `${tag}.y`, label: lm.confirmYes }, 'dismiss'],
    });
    return undefined;
  }
  const brief = loopOf(ctx).brief;
  await ctx.say(press.action === 'again' ? lm.againBy(brief, who) : lm.actionBy(spec.icon, label, who));
  ctx.log.info({ action: press.action }, 'result action');
  return { kind: 'agent', text: instruction(brief) };
}
