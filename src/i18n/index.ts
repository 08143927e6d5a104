// The messages of a reply language. All user-facing text of the core comes from here.

import type { Lang } from '../core/ports.ts';
import { en, type Messages } from './messages.en.ts';
import { zh } from './messages.zh.ts';

export type { ErrorContext, ErrorMessages, Messages } from './messages.en.ts';

export function messages(lang: Lang): Messages {
  return lang === 'zh' ? zh : en;
}

/** Short alias: `t(lang).connecting`. */
export const t = messages;
