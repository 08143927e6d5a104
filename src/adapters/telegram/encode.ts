import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ButtonAction, Lang } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import { BUTTON_ICONS } from './commands.ts';

// Pure encoding of the core's output for Telegram: text split to its limits, buttons as an inline keyboard
// whose callback data is the action name (decoded back into a command).

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

/**
 * Splits text into parts of at most `max` UTF-16 units (Telegram counts those), preferring a paragraph
 * break, then a line break, then a space, and never cutting a surrogate pair.
 */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = rest.lastIndexOf(sep, max - 1);
      if (at > max / 2) {
        cut = at + sep.length;
        break;
      }
    }
    if (cut < 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  if (rest.trim() !== '' || parts.length === 0) parts.push(rest);
  return parts.filter((p, i) => p.trim() !== '' || i === 0);
}

/** A caption within 1024 and the remainder to send as messages after the media. */
export function splitCaption(text: string): { caption: string; rest: string[] } {
  if (text.length <= MAX_CAPTION) return { caption: text, rest: [] };
  const [caption = '', ...more] = splitText(text, MAX_CAPTION);
  return { caption, rest: splitText(more.join('\n'), MAX_TEXT) };
}

const ACTIONS: readonly ButtonAction[] = ['export', 'status', 'credits'];

export function keyboard(buttons: ButtonAction[] | undefined, lang: Lang): InlineKeyboardMarkup | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  return {
    inline_keyboard: [
      buttons.map((b) => ({ text: `${BUTTON_ICONS[b]} ${messages(lang).buttons[b]}`, callback_data: b })),
    ],
  };
}

/** The action a callback query carries, if it is one of ours. */
export function buttonAction(data: string | undefined): ButtonAction | undefined {
  return ACTIONS.find((a) => a === data);
}
