// The words of the everyday loop in a reply language (kept apart from messages.*.ts so the loop's strings do
// not collide with the rest of the bot's).

import type { Lang } from './lang.ts';
import { type LoopMessages, loopEn } from './loop.en.ts';
import { loopZh } from './loop.zh.ts';

export type { HistoryLine, LoopMessages, SettingsView } from './loop.en.ts';

export function loopMessages(lang: Lang): LoopMessages {
  return lang === 'zh' ? loopZh : loopEn;
}
