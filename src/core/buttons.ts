// What a button carries, encoded once for every platform: `<action>` or `<action>|<data>`. Self-describing (no
// store lookup), so a button under a message from before a restart still works; short enough for Telegram's
// 64-byte callback data and Discord's 100-character custom id (with its prefix). Adapters only draw and
// decode with these functions.

import { ACTION_TABLE, type ActionName, actionSpec, isActionName } from '../i18n/actions.ts';
import type { Lang } from '../i18n/lang.ts';
import type { Button, ButtonAction, Press } from './ports.ts';

/** Telegram's callback_data limit, in bytes. */
export const MAX_PAYLOAD_BYTES = 64;
const DATA = /^[A-Za-z0-9_.=:+-]{1,48}$/;

export function toButton(b: ButtonAction | Button): Button {
  return typeof b === 'string' ? { action: b } : b;
}

export function encodeButton(b: ButtonAction | Button): string {
  const { action, data } = toButton(b);
  if (data === undefined) return action;
  if (!DATA.test(data)) throw new RangeError(`button data must match ${DATA}: ${JSON.stringify(data)}`);
  return `${action}|${data}`;
}

/**
 * The press a payload stands for. Unknown payloads (another bot's, an older format) give `undefined`; the
 * adapter then reports an unknown button so the core can say so in the user's language.
 */
export function decodeButton(payload: string | undefined): Press | undefined {
  if (!payload || Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return undefined;
  const bar = payload.indexOf('|');
  const action = bar < 0 ? payload : payload.slice(0, bar);
  if (!isActionName(action)) return undefined;
  if (bar < 0) return { action };
  const data = payload.slice(bar + 1);
  return DATA.test(data) ? { action, data } : undefined;
}

/** The commands a press stands for when it carries nothing else (the buttons of earlier versions). */
const COMMANDS: ReadonlySet<ActionName> = new Set(['export', 'status', 'credits']);

/** A press that is a plain command (`export`, `status`, `credits` without data). */
export function pressCommand(p: Press): 'export' | 'status' | 'credits' | undefined {
  if (p.action === 'unknown' || p.data !== undefined || p.text !== undefined) return undefined;
  return COMMANDS.has(p.action) ? (p.action as 'export' | 'status' | 'credits') : undefined;
}

/**
 * The text a button shows: the core's own label as given (a /settings value), else the table's label, with
 * the table's icon in front when `icons`.
 */
export function buttonText(b: Button, lang: Lang, icons: boolean): string {
  const spec = actionSpec(b.action);
  if (b.label !== undefined) return b.label;
  return icons ? `${spec.icon} ${spec.label[lang]}` : spec.label[lang];
}

/** Buttons a person can press only on a screen: the terminal shows the ones that are also typed commands. */
export function typedCommands(buttons: Array<ButtonAction | Button>): ButtonAction[] {
  return buttons.map(toButton).flatMap((b) => (COMMANDS.has(b.action) ? [b.action] : []));
}

/** Rows of at most `perRow` buttons (Telegram: 3 for readability; Discord: 5, its limit). */
export function rows<T>(items: T[], perRow: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += perRow) out.push(items.slice(i, i + perRow));
  return out;
}

export const isPrimary = (b: Button): boolean =>
  Boolean(ACTION_TABLE.find((a) => a.name === b.action && 'primary' in a && a.primary));
