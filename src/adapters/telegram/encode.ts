import type { InlineKeyboardMarkup } from 'grammy/types';
import { buttonText, decodeButton, encodeButton, rows, toButton } from '../../core/buttons.ts';
import type { Button, ButtonAction, Lang, Press, Requester } from '../../core/ports.ts';
import { cleanText } from '../shared/clean.ts';
import { clip as clipText, splitText as split } from '../shared/split.ts';

// Pure encoding of the core's output for Telegram: text cleaned and split to its limits (plain text, never a
// parse_mode, so `<b>` or `[x](tg://user?id=1)` from the agent shows as typed), buttons as an inline keyboard
// whose callback data the core encodes (src/core/buttons.ts: self-describing, within 64 bytes).

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

/** The messages for a text: cleaned (no control characters or bidi overrides) and split at 4096. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  return split(cleanText(text), max);
}

/** One message's worth of the cleaned text, for an edit (which cannot split). */
export function clip(text: string, max = MAX_TEXT): string {
  return clipText(cleanText(text), max);
}

/** A caption within 1024 and the remainder to send as messages after the media. */
export function splitCaption(text: string): { caption: string; rest: string[] } {
  const [caption = '', ...rest] = split(cleanText(text), MAX_TEXT, MAX_CAPTION);
  return { caption, rest };
}

/** Telegram draws up to 8 buttons a row; three keep the labels readable on a phone. */
const PER_ROW = 3;

export function keyboard(
  buttons: Array<ButtonAction | Button> | undefined,
  lang: Lang,
): InlineKeyboardMarkup | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  const list = buttons.map(toButton);
  return {
    inline_keyboard: rows(list, PER_ROW).map((row) =>
      row.map((b) => ({ text: buttonText(b, lang, true), callback_data: encodeButton(b) })),
    ),
  };
}

/** What a callback query carries: a press of one of our buttons, or `unknown` (an older format). */
export function pressOf(data: string | undefined): Press {
  return decodeButton(data) ?? { action: 'unknown' };
}

/** The action a callback query carries, if it is one of ours. */
export function buttonAction(data: string | undefined): ButtonAction | undefined {
  return decodeButton(data)?.action as ButtonAction | undefined;
}

/** A reply to `requester`'s message, when there is one (Telegram notifies them; a missing message is fine). */
export function replyParameters(to: Requester | undefined) {
  return to?.messageId && /^\d+$/.test(to.messageId)
    ? { reply_parameters: { message_id: Number(to.messageId), allow_sending_without_reply: true } }
    : {};
}

/**
 * In a group, a result for someone who pressed a button (no message of theirs to reply to) names them with a
 * text mention, which notifies them; the name is plain text, never markup.
 */
export function mentionFor(to: Requester | undefined, chatId: number, text: string) {
  if (!to || to.messageId || chatId > 0 || !/^\d+$/.test(to.userId)) return { text };
  const name = cleanText(to.name).replace(/\s+/g, ' ').trim().slice(0, 64) || 'you';
  return {
    text: `${name}, ${text}`,
    entities: [
      {
        type: 'text_mention' as const,
        offset: 0,
        length: name.length,
        user: { id: Number(to.userId), is_bot: false, first_name: name },
      },
    ],
  };
}
