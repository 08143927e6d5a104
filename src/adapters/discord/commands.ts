import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { Lang } from '../../core/ports.ts';

// The slash commands (registered on start, with zh-CN localizations), the button labels and the few texts
// only the Discord adapter says (Discord's own limits; the core does not know them).

const STRING = 3;
const ATTACHMENT = 11;
const GUILD = 0;
const BOT_DM = 1;

interface Localized {
  name: string;
  zhName: string;
  description: string;
  zhDescription: string;
}

function text(l: Localized) {
  return {
    name: l.name,
    name_localizations: { 'zh-CN': l.zhName },
    description: l.description,
    description_localizations: { 'zh-CN': l.zhDescription },
  };
}

const option = (type: number, required: boolean, l: Localized, extra: object = {}) => ({
  type,
  required,
  ...text(l),
  ...extra,
});

const file = (n: '' | '2' | '3', required = false) =>
  option(ATTACHMENT, required, {
    name: `file${n}`,
    zhName: `文件${n}`,
    description: 'An image, video or audio file to use',
    zhDescription: '要使用的图片、视频或音频文件',
  });

const command = (l: Localized, options: object[] = []) => ({
  type: 1,
  ...text(l),
  options,
  contexts: [GUILD, BOT_DM],
  integration_types: [0],
});

/** The command definitions, as sent to PUT /applications/<id>/commands. */
export const COMMANDS = [
  command(
    {
      name: 'video',
      zhName: '视频',
      description: 'Make or edit a video: describe it, optionally attach up to 3 files',
      zhDescription: '生成或编辑视频：描述你想要的效果，可附最多 3 个文件',
    },
    [
      option(STRING, true, {
        name: 'prompt',
        zhName: '描述',
        description: 'What to make or change',
        zhDescription: '要生成或修改的内容',
      }),
      file(''),
      file('2'),
      file('3'),
    ],
  ),
  command(
    {
      name: 'upload',
      zhName: '上传',
      description: 'Add a file to the project without asking for anything yet',
      zhDescription: '把文件加入项目（暂不提出要求）',
    },
    [file('', true)],
  ),
  command({
    name: 'export',
    zhName: '导出',
    description: 'Render the project and send the MP4',
    zhDescription: '渲染项目并发送 MP4',
  }),
  command({
    name: 'credits',
    zhName: '积分',
    description: 'Show remaining credits',
    zhDescription: '查看剩余积分',
  }),
  command({
    name: 'status',
    zhName: '状态',
    description: 'Show the project timeline',
    zhDescription: '查看项目时间线',
  }),
  command({
    name: 'cancel',
    zhName: '取消',
    description: 'Stop waiting for the current job',
    zhDescription: '停止等待当前任务',
  }),
  command({
    name: 'reset',
    zhName: '重置',
    description: 'Start a new project in this channel (Manage Server or Manage Channels)',
    zhDescription: '在此频道开始新项目（需要管理服务器或管理频道权限）',
  }),
  command(
    {
      name: 'lang',
      zhName: '语言',
      description: 'Reply language for this channel (Manage Server or Manage Channels)',
      zhDescription: '设置此频道的回复语言（需要管理服务器或管理频道权限）',
    },
    [
      option(
        STRING,
        false,
        { name: 'language', zhName: '语言', description: 'English or Chinese', zhDescription: '英文或中文' },
        {
          choices: [
            { name: 'English', name_localizations: { 'zh-CN': '英文' }, value: 'en' },
            { name: '中文', name_localizations: { 'zh-CN': '中文' }, value: 'zh' },
          ],
        },
      ),
    ],
  ),
  command({
    name: 'help',
    zhName: '帮助',
    description: 'How to make a video',
    zhDescription: '如何制作视频',
  }),
];

/** Registers the commands: to one guild when set (instant), else globally (may take a while to appear). */
export async function registerCommands(
  rest: REST,
  appId: string,
  guildId: string | undefined,
): Promise<void> {
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  await rest.put(route, { body: COMMANDS });
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export const TEXTS = {
  en: {
    unsupported: (name: string) =>
      `I can't use "${name}": send an image (jpg, png, gif, webp), a video (mp4, mov, avi, webm, mkv) or audio (mp3, wav, m4a, aac).`,
    tooBig: (name: string, size: number, limitMb: number) =>
      `"${name}" is ${mb(size)} MB; files can be at most ${limitMb} MB. Send a shorter or compressed file.`,
    videoLink: (size: number | undefined, limit: number) =>
      `Your video${size ? ` (${mb(size)} MB)` : ''} is larger than the ${mb(limit)} MB Discord lets me upload here — download it:`,
  },
  zh: {
    unsupported: (name: string) =>
      `无法使用“${name}”：请发送图片（jpg、png、gif、webp）、视频（mp4、mov、avi、webm、mkv）或音频（mp3、wav、m4a、aac）。`,
    tooBig: (name: string, size: number, limitMb: number) =>
      `“${name}”有 ${mb(size)} MB，文件最大 ${limitMb} MB。请发送更短或压缩后的文件。`,
    videoLink: (size: number | undefined, limit: number) =>
      `你的视频${size ? `（${mb(size)} MB）` : ''}超过了 Discord 在这里允许上传的 ${mb(limit)} MB，请在这里下载：`,
  },
} satisfies Record<Lang, unknown>;

/** The language of the adapter's own texts: Discord's locale (zh-CN, zh-TW → Chinese). */
export function langOfLocale(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
