// The one command table (docs/decisions.md decision 16). Per command: its name and Chinese name, the phrases that
// route to it without a slash, who may run it in a group, whether it waits in the chat's lane, and what it does
// in EN/ZH. Everything that lists commands is made from it: COMMAND_NAMES, the engine's dispatch and the
// routing of slash names and keywords (src/core), the help text, Telegram's menus, Discord's slash commands.
// It lives in src/i18n because most of a row is words, and src/i18n never imports the core.

import { TEAM_COMMANDS } from './commands-team.ts';
import { COMMAND_PHRASES, type Phrases } from './keywords.ts';
import type { Lang } from './lang.ts';

type Words = Readonly<Record<Lang, string>>;

export interface CommandSpec {
  /** The slash name (`/export`): Telegram's menu entry, Discord's command name. */
  readonly name: string;
  /** The Chinese name: Discord's zh-CN name, the alias in Chinese menus and help; `/导出` typed routes too. */
  readonly zh: string;
  /** Phrases that route here without a slash; absent: only the slash form, a button or a menu reach it. */
  readonly keywords?: Phrases;
  /** In a group: anyone, admins only, or admins only when it changes something (`/lang zh`; `/lang` tells). */
  readonly who: 'anyone' | 'admins' | 'admins-to-change';
  /** 'lane': waits its turn behind the chat's running work; 'now': answered at once (docs/decisions.md decision 4). */
  readonly runs: 'lane' | 'now';
  readonly description: Words;
  /** Its argument: shown in help and menus (`/lang en|zh`), offered as Discord choices. */
  readonly arg?: {
    readonly name: string;
    readonly zh: string;
    readonly usage: string;
    readonly description: Words;
    readonly choices: ReadonlyArray<{ readonly value: string; readonly label: Words }>;
  };
  /**
   * Subcommands, typed after the name (`/admin allow tg:123`); Discord shows them as real subcommands whose
   * options, in this order, make the rest of the argument.
   */
  readonly subcommands?: ReadonlyArray<Subcommand>;
}

export interface Subcommand {
  readonly name: string;
  readonly zh: string;
  readonly description: Words;
  readonly options?: ReadonlyArray<{
    readonly name: string;
    readonly zh: string;
    readonly description: Words;
    readonly required?: boolean;
    readonly choices?: ReadonlyArray<{ readonly value: string; readonly label: Words }>;
  }>;
}

export const COMMAND_TABLE = [
  {
    name: 'start',
    zh: '开始',
    who: 'anyone',
    runs: 'now',
    description: { en: 'What I can do, with examples', zh: '我能做什么（附示例）' },
  },
  {
    name: 'help',
    zh: '帮助',
    keywords: COMMAND_PHRASES.help,
    who: 'anyone',
    runs: 'now',
    description: { en: 'How to make a video', zh: '如何制作视频' },
  },
  {
    name: 'export',
    zh: '导出',
    keywords: COMMAND_PHRASES.export,
    who: 'anyone',
    runs: 'lane',
    description: { en: 'Render the project and send the MP4', zh: '渲染项目并发送 MP4' },
  },
  {
    name: 'status',
    zh: '状态',
    keywords: COMMAND_PHRASES.status,
    who: 'anyone',
    runs: 'now',
    description: { en: 'Show the project timeline', zh: '查看项目时间线' },
  },
  {
    name: 'credits',
    zh: '积分',
    keywords: COMMAND_PHRASES.credits,
    who: 'anyone',
    runs: 'now',
    description: { en: 'Show remaining credits', zh: '查看剩余积分' },
  },
  {
    name: 'upload',
    zh: '上传',
    keywords: COMMAND_PHRASES.upload,
    who: 'anyone',
    runs: 'now',
    description: { en: 'Send a file to use in the video', zh: '发送要在视频中使用的文件' },
  },
  {
    name: 'open',
    zh: '打开',
    who: 'anyone',
    runs: 'now',
    description: {
      en: 'Open the project in NemoVideo’s web editor',
      zh: '在 NemoVideo 网页编辑器中打开项目',
    },
  },
  {
    name: 'cancel',
    zh: '取消',
    keywords: COMMAND_PHRASES.cancel,
    who: 'anyone',
    runs: 'now',
    description: { en: 'Stop waiting for the current request', zh: '停止等待当前请求' },
  },
  {
    name: 'reset',
    zh: '重置',
    keywords: COMMAND_PHRASES.reset,
    who: 'admins',
    runs: 'now',
    description: { en: 'Start a new project', zh: '开始新项目' },
  },
  {
    name: 'lang',
    zh: '语言',
    who: 'admins-to-change',
    runs: 'now',
    description: { en: 'Reply language', zh: '回复语言' },
    arg: {
      name: 'language',
      zh: '语言',
      usage: 'en|zh',
      description: { en: 'English or Chinese', zh: '英文或中文' },
      choices: [
        { value: 'en', label: { en: 'English', zh: '英文' } },
        { value: 'zh', label: { en: '中文', zh: '中文' } },
      ],
    },
  },
  // Team controls (src/core/team): who may use the bot, quotas, usage, own tokens.
  ...TEAM_COMMANDS,
  {
    name: 'history',
    zh: '历史',
    who: 'anyone',
    runs: 'now',
    description: { en: 'Recent exports of this chat, with links', zh: '本聊天最近的导出（附链接）' },
  },
  {
    name: 'show',
    zh: '重发',
    who: 'anyone',
    runs: 'now',
    description: { en: 'Post an earlier export again', zh: '重新发送之前导出的视频' },
    arg: {
      name: 'number',
      zh: '编号',
      usage: '<n>',
      description: { en: 'Its number in /history (1 is the newest)', zh: '在 /history 中的编号（1 为最新）' },
      choices: [],
    },
  },
  {
    name: 'settings',
    zh: '设置',
    who: 'admins-to-change',
    runs: 'now',
    description: {
      en: 'House defaults: aspect, length, brand notes, language, file or link',
      zh: '默认设置：画幅、时长、品牌说明、语言、文件或链接',
    },
  },
] as const satisfies readonly CommandSpec[];

/** The bot's commands, as typed after a slash (`/export`), carried by a button or chosen in a menu. */
export type CommandName = (typeof COMMAND_TABLE)[number]['name'];

export const COMMAND_NAMES: readonly CommandName[] = COMMAND_TABLE.map((c) => c.name);

const BY_NAME: ReadonlyMap<string, CommandSpec & { name: CommandName }> = new Map(
  COMMAND_TABLE.map((c) => [c.name, c]),
);

export function commandSpec(name: CommandName): CommandSpec & { name: CommandName } {
  return BY_NAME.get(name)!;
}

const ADMIN_NOTE: Words = { en: ' (chat admins)', zh: '（仅管理员）' };

/** What a command does, with who may run it when that is not everyone. */
export function describeCommand(c: CommandSpec, lang: Lang): string {
  return c.description[lang] + (c.who === 'anyone' ? '' : ADMIN_NOTE[lang]);
}

/** A menu entry's text (Telegram): in Chinese led by the Chinese name, which also works typed. */
export function menuDescription(c: CommandSpec, lang: Lang): string {
  const text = describeCommand(c, lang);
  return lang === 'zh' ? `${c.zh}：${text}` : text;
}

/** The help's command lines: every command but start and help (whoever reads them is already in help). */
export function helpLines(lang: Lang): string[] {
  return COMMAND_TABLE.filter((c) => c.name !== 'start' && c.name !== 'help').map((c: CommandSpec) => {
    const alias = lang === 'zh' && c.keywords ? ` ${c.zh}` : '';
    const arg = c.arg
      ? ` ${c.arg.usage}`
      : c.subcommands
        ? ` ${c.subcommands.map((sub) => (lang === 'zh' ? `${sub.name}（${sub.zh}）` : sub.name)).join('|')}`
        : '';
    return `/${c.name}${alias}${arg} — ${describeCommand(c, lang)}`;
  });
}

/** Words of Discord's own slash parts: /video (a prompt, optionally with files) and the file options. */
export const SLASH_EXTRAS = {
  video: {
    name: 'video',
    zh: '视频',
    description: {
      en: 'Make or edit a video: describe it, optionally attach up to 3 files',
      zh: '生成或编辑视频：描述你想要的效果，可附最多 3 个文件',
    },
  },
  prompt: {
    name: 'prompt',
    zh: '描述',
    description: { en: 'What to make or change', zh: '要生成或修改的内容' },
  },
  file: {
    name: 'file',
    zh: '文件',
    description: { en: 'An image, video or audio file to use', zh: '要使用的图片、视频或音频文件' },
  },
} as const satisfies Record<string, { name: string; zh: string; description: Words }>;
