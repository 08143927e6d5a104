// The reply language (docs/decisions.md decision 5): the chat's /lang choice, else the sender's platform locale
// (zh* → zh), else the script of the message, else English. A non-Chinese locale does not force English:
// platform locales often default to en-US, so a user writing Chinese under one still gets Chinese replies.

import type { Lang } from './ports.ts';

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

/**
 * Chinese when Han characters carry the message: at least one, and at least half as many as Latin letters
 * (a Han character is a word's worth; "make a video about 北京" stays English, "做一个 Tesla 视频" is Chinese).
 */
export function looksChinese(text: string): boolean {
  const han = text.match(HAN)?.length ?? 0;
  if (han === 0) return false;
  const latin = text.match(LATIN)?.length ?? 0;
  return han * 2 >= latin;
}

export function chooseLang(a: {
  chatChoice?: Lang | undefined;
  locale?: string | undefined;
  text?: string | undefined;
}): Lang {
  if (a.chatChoice) return a.chatChoice;
  if (a.locale && /^zh(?:[-_]|$)/i.test(a.locale.trim())) return 'zh';
  if (a.text && looksChinese(a.text)) return 'zh';
  return 'en';
}

const ZH_NAMES = new Set([
  'zh',
  'cn',
  'chs',
  'cht',
  'chinese',
  'mandarin',
  '中文',
  '汉语',
  '漢語',
  '普通话',
  '简体中文',
  '繁體中文',
  '简体',
  '繁体',
  '中',
]);
const EN_NAMES = new Set(['en', 'eng', 'english', '英文', '英语', '英語', '英']);

/** A language named by a user (`/lang zh`, `/lang 中文`, `/lang en-US`), or undefined when not understood. */
export function parseLang(arg: string): Lang | undefined {
  const s = arg.normalize('NFKC').trim().toLowerCase();
  if (ZH_NAMES.has(s) || /^zh[-_][a-z0-9_-]+$/.test(s)) return 'zh';
  if (EN_NAMES.has(s) || /^en[-_][a-z0-9_-]+$/.test(s)) return 'en';
  return undefined;
}

/** The `language` of a new NemoVideo session. */
export function nemoLanguage(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}
