import { buttonText, decodeButton, encodeButton, isPrimary, rows, toButton } from '../../core/buttons.ts';
import type { Button, ButtonAction, ChatAddress, Lang, Press } from '../../core/ports.ts';
import { cleanText } from '../shared/clean.ts';
import { clip as clipText, splitText as split } from '../shared/split.ts';

// Pure encoding: chat addresses, text cleaned and split at 2000 characters, the mentions a message may
// make, the button row. No discord.js objects here, so these are unit-tested without a client.

export const MAX_TEXT = 2000;
/** Discord's default per-file upload limit for bots (the interaction's `attachment_size_limit` tells more). */
export const DEFAULT_FILE_LIMIT = 10 * 1024 * 1024;
export const BUTTON_PREFIX = 'nemo:';

export interface DcTarget {
  /** The channel (or the thread's parent) the address names first. */
  channelId: string;
  threadId?: string;
}

/** `dc:<channelId>` or, inside a thread, `dc:<parentId>:<threadId>` — one session per channel or thread. */
export function formatAddress(target: DcTarget): ChatAddress {
  return target.threadId ? `dc:${target.channelId}:${target.threadId}` : `dc:${target.channelId}`;
}

export function parseAddress(address: ChatAddress): DcTarget | undefined {
  const m = /^dc:(\d+)(?::(\d+))?$/.exec(address);
  if (!m?.[1]) return undefined;
  return m[2] ? { channelId: m[1], threadId: m[2] } : { channelId: m[1] };
}

/** Where messages for an address go: the thread itself when there is one. */
export function postChannel(target: DcTarget): string {
  return target.threadId ?? target.channelId;
}

/** The messages for a text: cleaned (no control characters or bidi overrides) and split at 2000. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  return split(cleanText(text), max);
}

/**
 * Who a message may ping: nobody, or only the user a late result is for — never `@everyone`, `@here`, a
 * role or a user the agent's text names. The same shape serves a raw REST body (`allowed_mentions`) and
 * discord.js options (`allowedMentions`).
 */
export function allowedMentions(userId?: string): { parse: []; users?: string[] } {
  return userId ? { parse: [], users: [userId] } : { parse: [] };
}

/** Discord draws at most 5 buttons a row and 5 rows a message. */
const PER_ROW = 5;
const MAX_BUTTONS = 25;

/** Rows of buttons as raw API components; the core encodes what each press carries. */
export function buttonRow(actions: Array<ButtonAction | Button> | undefined, lang: Lang) {
  if (!actions || actions.length === 0) return [];
  return rows(actions.slice(0, MAX_BUTTONS).map(toButton), PER_ROW).map((row) => ({
    type: 1,
    components: row.map((b) => ({
      type: 2,
      style: isPrimary(b) ? 1 : 2,
      label: buttonText(b, lang, false).slice(0, 80),
      custom_id: `${BUTTON_PREFIX}${encodeButton(b)}`,
    })),
  }));
}

/** A press of one of our buttons (`unknown` when ours but unreadable); undefined when not ours. */
export function pressOf(customId: string): Press | undefined {
  if (!customId.startsWith(BUTTON_PREFIX)) return undefined;
  return decodeButton(customId.slice(BUTTON_PREFIX.length)) ?? { action: 'unknown' };
}

export function buttonAction(customId: string): ButtonAction | undefined {
  const press = pressOf(customId);
  return press && press.action !== 'unknown' ? press.action : undefined;
}

/** A message that fits: the cleaned text cut to the limit with an ellipsis (edits cannot split). */
export function clip(text: string, max = MAX_TEXT): string {
  return clipText(cleanText(text), max);
}
