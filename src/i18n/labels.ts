// Labels of the timeline summary and of change lists (src/core/timeline.ts). ZH is typed against the same
// interface, so a missing label fails to compile. Chinese uses full-width punctuation.

import type { Lang } from './lang.ts';

export interface TimelineLabels {
  video: string;
  bgm: string;
  audio: string;
  title: string;
  track: string;
  /** "Timeline (3 tracks):" */
  heading(count: number): string;
  /** Between a track's kind and its content. */
  colon: string;
  /** Details after a name: " (0-10s, 35%)". */
  paren(inner: string): string;
  listSep: string;
  quote(text: string): string;
  seconds(s: string): string;
  range(from: string, to: string): string;
  more(n: number): string;
  empty: string;
  added: string;
  removed: string;
  changed: string;
  duration: string;
}

export const LABELS_EN: TimelineLabels = {
  video: 'Video',
  bgm: 'BGM',
  audio: 'Audio',
  title: 'Title',
  track: 'Track',
  heading: (n) => `Timeline (${n} ${n === 1 ? 'track' : 'tracks'}):`,
  colon: ': ',
  paren: (inner) => ` (${inner})`,
  listSep: ', ',
  quote: (t) => `"${t}"`,
  seconds: (s) => `${s}s`,
  range: (a, b) => `${a}-${b}s`,
  more: (n) => `+${n} more`,
  empty: 'empty',
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
  duration: 'Duration',
};

export const LABELS_ZH: TimelineLabels = {
  video: '视频',
  bgm: '背景音乐',
  audio: '音频',
  title: '标题',
  track: '轨道',
  heading: (n) => `时间线（${n} 条轨道）：`,
  colon: '：',
  paren: (inner) => `（${inner}）`,
  listSep: '，',
  quote: (t) => `“${t}”`,
  seconds: (s) => `${s} 秒`,
  range: (a, b) => `${a}-${b} 秒`,
  more: (n) => `另 ${n} 段`,
  empty: '空',
  added: '新增',
  removed: '删除',
  changed: '修改',
  duration: '时长',
};

export function timelineLabels(lang: Lang): TimelineLabels {
  return lang === 'zh' ? LABELS_ZH : LABELS_EN;
}
