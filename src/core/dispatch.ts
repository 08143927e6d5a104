// What a message asks for (plan), and running a command the way the command table (src/i18n/commands.ts)
// says: who may run it, and whether it answers at once or waits its turn in the chat's lane.

import { type COMMAND_TABLE, type CommandName, commandSpec } from '../i18n/commands.ts';
import * as commands from './commands.ts';
import { type ChatCtx, errInfo } from './context.ts';
import { clearExportIntent, exportVideo, markExportIntent } from './export.ts';
import { historyCommand, showCommand } from './history.ts';
import type { TaskKind } from './lanes.ts';
import type { InboundMessage, Sender } from './ports.ts';
import { route } from './routing.ts';
import { settingsCommand } from './settings.ts';

export type Command = { name: CommandName; arg?: string };
export type Plan =
  | { kind: 'command'; command: Command }
  | { kind: 'agent'; text: string; after?: Command }
  | { kind: 'unknown'; name: string };

/** What a message asks for. Files always go to the agent's session first; a command caption runs after. */
export function plan(msg: InboundMessage): Plan {
  if (msg.command && msg.attachments.length === 0) return { kind: 'command', command: msg.command };
  const r = msg.command
    ? ({ kind: 'command', ...msg.command } as const)
    : route(msg.text, msg.botMentions ? { botMentions: msg.botMentions } : {});
  if (r.kind === 'unknown') return r;
  if (msg.attachments.length === 0) {
    if (r.kind === 'command') return { kind: 'command', command: withArg(r.name, r.arg) };
    return r.text.trim() ? { kind: 'agent', text: r.text } : { kind: 'command', command: { name: 'help' } };
  }
  if (r.kind === 'agent') return { kind: 'agent', text: r.text };
  return r.name === 'upload'
    ? { kind: 'agent', text: '' }
    : { kind: 'agent', text: '', after: withArg(r.name, r.arg) };
}

function withArg(name: CommandName, arg: string | undefined): Command {
  return arg === undefined ? { name } : { name, arg };
}

type LaneName = Extract<(typeof COMMAND_TABLE)[number], { runs: 'lane' }>['name'];
type NowName = Exclude<CommandName, LaneName>;

/** Commands answered at once (the table's `runs: 'now'`). */
const NOW: Record<NowName, (ctx: ChatCtx, arg: string | undefined) => Promise<void>> = {
  start: commands.help,
  help: commands.help,
  status: commands.status,
  credits: commands.credits,
  upload: commands.uploadHowTo,
  open: commands.open,
  cancel: commands.cancel,
  reset: commands.reset,
  lang: commands.lang,
  usage: (ctx, arg) => ctx.core.team.command(ctx, 'usage', arg),
  admin: (ctx, arg) => ctx.core.team.command(ctx, 'admin', arg),
  token: (ctx, arg) => ctx.core.team.command(ctx, 'token', arg),
  history: historyCommand,
  show: showCommand,
  settings: settingsCommand,
};

interface LaneCommand {
  kind: TaskKind;
  /** Why it need not wait for its turn (it already runs, there is nothing to do), or undefined. */
  refuse(ctx: ChatCtx): Promise<string | undefined>;
  run(ctx: ChatCtx, signal: AbortSignal): Promise<void>;
  /** Before it waits for its turn, and once it ran or was dropped (not when the process stops). */
  before?(ctx: ChatCtx): Promise<void>;
  after?(ctx: ChatCtx): Promise<void>;
}

/** Commands that wait their turn in the chat's lane (the table's `runs: 'lane'`). */
const LANE: Record<LaneName, LaneCommand> = {
  export: {
    kind: 'export',
    async refuse(ctx) {
      // A double tap never renders twice.
      if (await ctx.core.lanes.hasExport(ctx.address)) return ctx.m.exportRunning;
      // No project and nothing running that could make one: nothing to wait for.
      if (!ctx.record.sessionId && !(await ctx.core.lanes.busy(ctx.address))) return ctx.m.nothingToExport;
      return undefined;
    },
    run: exportVideo,
    // The request is recorded before it waits: a kill before its job is stored is told after the restart.
    before: markExportIntent,
    after: clearExportIntent,
  },
};

export const waitsInLane = (name: CommandName): name is LaneName => commandSpec(name).runs === 'lane';

/** Whether the table lets this sender run the command here; asks the platform only when it matters. */
async function allowed(ctx: ChatCtx, command: Command, sender: Sender): Promise<boolean> {
  const who = commandSpec(command.name).who;
  if (who === 'anyone' || (who === 'admins-to-change' && command.arg === undefined)) return true;
  try {
    return await sender.isAdmin();
  } catch (e) {
    ctx.log.warn({ err: errInfo(e) }, 'admin check failed; treating the sender as a member');
    return false;
  }
}

/** Runs `task` in the chat's lane; `entered` runs as soon as it has its place. */
export type InLane = (
  ctx: ChatCtx,
  kind: TaskKind,
  task: (signal: AbortSignal) => Promise<void>,
  entered?: () => void,
) => Promise<void>;

/** Runs a command from outside the lane: at once, or queued in the chat's lane through `inLane`. */
export function runCommand(
  ctx: ChatCtx,
  command: Command,
  sender: Sender,
  inLane: InLane,
  entered: () => void = () => {},
): Promise<void> {
  return run(ctx, command, sender, (c) => inLane(ctx, c.kind, (signal) => c.run(ctx, signal), entered));
}

/** Runs a command a file's caption asked for, from the turn that uploaded the file (it holds the lane). */
export function runAfter(ctx: ChatCtx, command: Command, sender: Sender, signal: AbortSignal): Promise<void> {
  return run(ctx, command, sender, (c) => c.run(ctx, signal));
}

async function run(
  ctx: ChatCtx,
  command: Command,
  sender: Sender,
  inTurn: (c: LaneCommand) => Promise<void>,
): Promise<void> {
  if (!(await allowed(ctx, command, sender))) {
    await ctx.say({ text: ctx.m.adminOnly, ephemeral: true });
    return;
  }
  const name = command.name;
  if (!waitsInLane(name)) return NOW[name](ctx, command.arg);
  const c = LANE[name];
  const refusal = await c.refuse(ctx);
  if (refusal) {
    await ctx.say(refusal);
    return;
  }
  await c.before?.(ctx);
  try {
    await inTurn(c);
  } finally {
    if (!ctx.core.shutdown.aborted) await c.after?.(ctx);
  }
}
