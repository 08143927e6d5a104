// The messages of a reply language. Every sentence a user reads comes from here: the core's, and the
// notices the adapters render for it (docs/decisions.md decision 16).

import type { Lang } from './lang.ts';
import { en, type Messages } from './messages.en.ts';
import { zh } from './messages.zh.ts';

export type { Lang, Platform } from './lang.ts';
export type { BotErrorCode, ErrorContext, ErrorMessages, MediaKind, Messages } from './messages.en.ts';

export function messages(lang: Lang): Messages {
  return lang === 'zh' ? zh : en;
}

/** Short alias: `t(lang).connecting`. */
export const t = messages;
