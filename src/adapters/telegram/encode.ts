import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ButtonAction, Lang } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import { cleanText } from '../shared/clean.ts';
import { clip as clipText, splitText as split } from '../shared/split.ts';
import { BUTTON_ICONS } from './commands.ts';

// Pure encoding of the core's output for Telegram: text cleaned and split to its limits (plain text, never a
// parse_mode, so `<b>` or `[x](tg://user?id=1)` from the agent shows as typed), buttons as an inline keyboard
// whose callback data is the action name (decoded back into a command).

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
