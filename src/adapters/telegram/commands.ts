import type { ButtonAction, Lang } from '../../core/ports.ts';

// Strings only the Telegram adapter shows: the command menu (setMyCommands in EN and ZH), the inline button
// labels, and the refusals that come from Telegram's own limits (the core does not know them).

export interface MenuCommand {
  command: string;
  description: string;
}

export const MENU: Record<Lang, MenuCommand[]> = {
  en: [
    { command: 'start', description: 'What I can do, with examples' },
    { command: 'help', description: 'How to make a video' },
    { command: 'export', description: 'Render the project and send the MP4' },
    { command: 'status', description: 'Show the project timeline' },
    { command: 'credits', description: 'Show remaining credits' },
    { command: 'cancel', description: 'Stop waiting for the current job' },
    { command: 'reset', description: 'Start a new project (group admins)' },
    { command: 'lang', description: 'Reply language: /lang en or /lang zh (group admins)' },
  ],
  zh: [
    { command: 'start', description: '我能做什么（附示例）' },
    { command: 'help', description: '如何制作视频' },
    { command: 'export', description: '导出：渲染项目并发送 MP4' },
    { command: 'status', description: '查看项目时间线' },
    { command: 'credits', description: '查看剩余积分' },
    { command: 'cancel', description: '停止等待当前任务' },
    { command: 'reset', description: '开始新项目（群管理员）' },
    { command: 'lang', description: '回复语言：/lang en 或 /lang zh（群管理员）' },
  ],
};

/** Telegram's inline buttons carry an icon before the shared label. */
export const BUTTON_ICONS: Record<ButtonAction, string> = { export: '🎬', status: '📊', credits: '💰' };

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export const TEXTS = {
  en: {
    tooBig: (size: number, limit: number) =>
      `That file is ${mb(size)} MB, but Telegram lets bots download at most ${mb(limit)} MB. ` +
      'Send a smaller or trimmed file, or paste a public link to it (Google Drive, Dropbox…) instead. ' +
      "The bot's operator can lift this limit by running a local Bot API server (TELEGRAM_LOCAL_API).",
    videoLink: (size: number | undefined, limit: number) =>
      `Your video${size ? ` (${mb(size)} MB)` : ''} is over Telegram's ${mb(limit)} MB upload limit for bots — download it here:`,
  },
  zh: {
    tooBig: (size: number, limit: number) =>
      `这个文件有 ${mb(size)} MB，但 Telegram 只允许机器人下载不超过 ${mb(limit)} MB 的文件。` +
      '请发送更小或剪短的文件，或改为发送公开链接（Google Drive、Dropbox 等）。' +
      '机器人运营者可以通过自建 Bot API 服务器（TELEGRAM_LOCAL_API）解除此限制。',
    videoLink: (size: number | undefined, limit: number) =>
      `你的视频${size ? `（${mb(size)} MB）` : ''}超过了 Telegram 机器人 ${mb(limit)} MB 的上传限制，请在这里下载：`,
  },
} satisfies Record<Lang, unknown>;

/** The language for the adapter's own messages: the sender's Telegram locale, else the script, else English. */
export function langOf(locale: string | undefined, text: string): Lang {
  if (locale) return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
