import type { ButtonAction, ChatAddress, Lang } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';

// Pure encoding: chat addresses, 2000-character splitting, the button row. No discord.js objects here, so
// these are unit-tested without a client.

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

/**
 * Splits text into messages of at most `max` characters, preferring paragraph, then line, then word breaks.
 * Counts UTF-16 code units like Discord does, and never cuts a surrogate pair.
 */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'));
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
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

/** A message that fits: the text cut to the limit with an ellipsis (for edits, which cannot split). */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
