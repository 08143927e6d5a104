import type { ButtonAction, ChatAddress, Lang } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import { cleanText } from '../shared/clean.ts';
import { clip as clipText, splitText as split } from '../shared/split.ts';

// Pure encoding: chat addresses, text cleaned and split at 2000 characters, the mentions a message may
// make, the button row. No discord.js objects here, so these are unit-tested without a client.

export const MAX_TEXT = 2000;
/** Discord's default per-file upload limit for bots (the interaction's `attachment_size_limit` tells more). */
export const DEFAULT_FILE_LIMIT = 10 * 1024 * 1024;
const BUTTON_PREFIX = 'nemo:';

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

/** One row of buttons (Discord allows five per row), as raw API components. */
export function buttonRow(actions: ButtonAction[] | undefined, lang: Lang) {
  if (!actions || actions.length === 0) return [];
  return [
    {
      type: 1,
      components: actions.slice(0, 5).map((a) => ({
        type: 2,
        style: a === 'export' ? 1 : 2,
        label: messages(lang).buttons[a],
        custom_id: `${BUTTON_PREFIX}${a}`,
      })),
    },
  ];
}

export function buttonAction(customId: string): ButtonAction | undefined {
  if (!customId.startsWith(BUTTON_PREFIX)) return undefined;
  const action = customId.slice(BUTTON_PREFIX.length);
  return action === 'export' || action === 'status' || action === 'credits' ? action : undefined;
}

/** A message that fits: the cleaned text cut to the limit with an ellipsis (edits cannot split). */
export function clip(text: string, max = MAX_TEXT): string {
  return clipText(cleanText(text), max);
}
