// The one table of buttons (issue 14): every action a button can carry, its icon and EN/ZH label, and for the
// actions on a result what the bot asks the agent for, in the user's language. The core decides which buttons
// go under a message and what a press does (src/core/actions.ts); each adapter only draws them. Lives in
// src/i18n because a row is mostly words, and src/i18n never imports the core.

import type { Lang } from './lang.ts';

type Words = Readonly<Record<Lang, string>>;

export interface ActionSpec {
  readonly name: string;
  readonly icon: string;
  readonly label: Words;
  /** Asks NemoVideo for new work (may use credits): confirmed first when CONFIRM_PAID_ACTIONS is set. */
  readonly paid?: boolean;
  /** Drawn as the primary button (Discord's blurple) — the one thing most people press next. */
  readonly primary?: boolean;
  /**
   * What the agent is asked, in the user's language: a clear instruction the bot writes (and shows) for the
   * press, never the user's earlier message sent again. `brief` is the project's brief when known.
   */
  readonly instruction?: Readonly<Record<Lang, (brief: string | undefined) => string>>;
}

const q = (lang: Lang, s: string): string => (lang === 'zh' ? `“${s}”` : `"${s}"`);

export const ACTION_TABLE = [
  { name: 'export', icon: '🎬', label: { en: 'Export', zh: '导出' }, primary: true },
  { name: 'status', icon: '📊', label: { en: 'Status', zh: '状态' } },
  { name: 'credits', icon: '💰', label: { en: 'Credits', zh: '积分' } },
  {
    name: 'again',
    icon: '↻',
    label: { en: 'Another take', zh: '再来一版' },
    paid: true,
    instruction: {
      en: (b) =>
        b
          ? `Make another take of the current video: a fresh variation of the same brief (${q('en', b)}). Keep the format and the length.`
          : 'Make another take of the current video: a fresh variation of the same content. Keep the format and the length.',
      zh: (b) =>
        b
          ? `请为当前视频再做一版：基于同一需求（${q('zh', b)}）的全新变体，画幅和时长保持不变。`
          : '请为当前视频再做一版：同样内容的全新变体，画幅和时长保持不变。',
    },
  },
  {
    name: 'vertical',
    icon: '📱',
    label: { en: 'Vertical 9:16', zh: '竖屏 9:16' },
    paid: true,
    instruction: {
      en: () =>
        'Make a vertical 9:16 version of the current video. Keep the content; reframe it for a phone screen.',
      zh: () => '请把当前视频做成竖屏 9:16 版本：内容不变，按手机屏幕重新构图。',
    },
  },
  {
    name: 'square',
    icon: '⏹',
    label: { en: 'Square 1:1', zh: '方形 1:1' },
    paid: true,
    instruction: {
      en: () =>
        'Make a square 1:1 version of the current video. Keep the content; reframe it for a square feed post.',
      zh: () => '请把当前视频做成 1:1 方形版本：内容不变，按方形信息流重新构图。',
    },
  },
  {
    name: 'landscape',
    icon: '🖥',
    label: { en: 'Landscape 16:9', zh: '横屏 16:9' },
    paid: true,
    instruction: {
      en: () =>
        'Make a landscape 16:9 version of the current video. Keep the content; reframe it for a widescreen.',
      zh: () => '请把当前视频做成横屏 16:9 版本：内容不变，按宽屏重新构图。',
    },
  },
  {
    name: 'shorter',
    icon: '⏩',
    label: { en: 'Shorter', zh: '更短' },
    paid: true,
    instruction: {
      en: () => 'Make the current video shorter (about half as long), keeping the most important moments.',
      zh: () => '请把当前视频缩短（约为原来的一半），保留最重要的画面。',
    },
  },
  {
    name: 'longer',
    icon: '⏪',
    label: { en: 'Longer', zh: '更长' },
    paid: true,
    instruction: {
      en: () =>
        'Make the current video longer (about one and a half times as long), extending it naturally without repeating shots.',
      zh: () => '请把当前视频加长（约为原来的 1.5 倍），自然延展，不要重复镜头。',
    },
  },
  { name: 'edit', icon: '✏️', label: { en: 'Edit…', zh: '修改…' } },
  /** A /settings menu entry; the core gives each one its own label (the value it sets). */
  { name: 'set', icon: '⚙️', label: { en: 'Set', zh: '设置' } },
  { name: 'notes', icon: '📝', label: { en: 'Brand notes…', zh: '品牌说明…' } },
  /** Renders an expired /history entry's project again, once the user agreed. */
  { name: 'rerender', icon: '🎬', label: { en: 'Render again', zh: '重新渲染' }, paid: true, primary: true },
  { name: 'dismiss', icon: '✖', label: { en: 'Cancel', zh: '取消' } },
] as const satisfies readonly ActionSpec[];

export type ActionName = (typeof ACTION_TABLE)[number]['name'];

export const ACTION_NAMES: readonly ActionName[] = ACTION_TABLE.map((a) => a.name);

const BY_NAME: ReadonlyMap<string, ActionSpec & { name: ActionName }> = new Map(
  ACTION_TABLE.map((a) => [a.name, a]),
);

export function actionSpec(name: ActionName): ActionSpec & { name: ActionName } {
  return BY_NAME.get(name)!;
}

export function isActionName(s: string): s is ActionName {
  return BY_NAME.has(s);
}

/** The label a button shows in `lang` (its icon is drawn by adapters that show icons). */
export function actionLabel(name: ActionName, lang: Lang): string {
  return actionSpec(name).label[lang];
}

/** The actions under a finished result, in the order they are drawn. */
export const RESULT_ACTIONS = [
  'export',
  'again',
  'edit',
  'vertical',
  'square',
  'landscape',
  'shorter',
  'longer',
] as const satisfies readonly ActionName[];

/** The actions under a delivered video (it is exported already). */
export const VIDEO_ACTIONS = RESULT_ACTIONS.filter((a) => a !== 'export');

export type ResultAction = (typeof RESULT_ACTIONS)[number];
