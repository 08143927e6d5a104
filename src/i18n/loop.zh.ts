// 日常使用的文案（issue 14），按 loop.en.ts 的类型编写：缺少任何一项都无法编译。

import { type HistoryLine, type LoopMessages, utc } from './loop.en.ts';

const clip = (s: string, max = 80): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const num = (n: number): string => n.toLocaleString('zh-CN');

const duration = (s: number): string => {
  const r = Math.round(s);
  return r < 60 ? `${r} 秒` : `${Math.floor(r / 60)} 分 ${r % 60} 秒`;
};

export const loopZh: LoopMessages = {
  staleButton:
    'ℹ️ 这个按钮属于本聊天之前的项目（之后已重置或更换），所以我没有执行任何操作。请使用最新结果下方的按钮，或直接描述你的需求。',
  unknownButton: 'ℹ️ 这个按钮来自旧版本，已无法使用。输入 /help 查看我能做什么。',
  actionBy: (icon: string, label: string, who: string) => `${icon} ${label} —— 由 ${who} 发起`,
  againBy: (brief: string | undefined, who: string) =>
    brief ? `↻ 再来一版：“${clip(brief)}” —— 由 ${who} 发起` : `↻ 再来一版 —— 由 ${who} 发起`,
  confirmPaid: (label: string) => `💳 “${label}”会让 NemoVideo 生成新版本，需要消耗积分。确定继续吗？`,
  confirmYes: '确定，继续',
  dismissed: '好的——没有发送任何请求。',
  editAsk: '✏️ 想修改什么？请回复这条消息说明修改内容（例如“把标题改成红色，音乐换得柔和一些”）。',
  editTitle: '修改视频',
  editLabel: '想修改什么？',
  editBy: (who: string, text: string) => `✏️ ${who}：${clip(text, 300)}`,
  briefTitle: '制作视频',
  briefLabel: '描述你想要的视频',
  briefBy: (who: string, text: string) => `🎬 ${who}：${clip(text, 300)}`,

  historyEmpty: '🎞 本聊天还没有导出过视频。制作并导出一个视频后，/history 会在这里列出它。',
  historyHeading: (shown: number, total: number) =>
    `🎞 最近的导出（${shown}${total > shown ? ` / 共 ${total}` : ''}）—— 用 /show <编号> 重新发送：`,
  historyEntry: (e: HistoryLine) => {
    const head = [
      `${e.n}. ${utc(e.at)} UTC`,
      e.brief ? `“${clip(e.brief, 60)}”` : undefined,
      e.durationSec !== undefined ? duration(e.durationSec) : undefined,
      e.cost !== undefined ? `${num(e.cost)} 积分` : undefined,
      e.by ? `发起人 ${e.by}` : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    return `${head}\n   ${e.url}`;
  },
  showUsage: (count: number) =>
    count > 0
      ? `用法：/show <编号> —— 1 到 ${count} 之间的编号，见 /history。`
      : '用法：/show <编号> —— 不过本聊天还没有导出过视频。',
  showOutOfRange: (n: string, count: number) =>
    count > 0
      ? `这里没有第 ${clip(n, 12)} 个导出 —— /history 共列出 ${count} 个（1 为最新）。`
      : `这里没有第 ${clip(n, 12)} 个导出 —— 本聊天还没有导出过视频。`,
  showPosting: (n: number) => `🎞 正在重新发送第 ${n} 个导出…`,
  showCaption: (n: number, at: number) => `🎞 第 ${n} 个导出（${utc(at)} UTC）`,
  showExpired: (n: number) =>
    `⌛ 第 ${n} 个导出的视频在 NemoVideo 上已过期。要重新渲染当前项目吗？（可能消耗积分。）`,
  showExpiredReset: (n: number) =>
    `⌛ 第 ${n} 个导出的视频在 NemoVideo 上已过期，而且它的项目之后已被重置，因此无法在这里重新渲染。`,

  settingsHeading: '⚙️ 本聊天的默认设置（会加到每个新视频需求中）：',
  settingsAspect: '画幅比例',
  settingsLength: '目标时长',
  settingsNotes: '品牌说明',
  settingsLang: '回复语言',
  settingsDelivery: '导出方式',
  colon: '：',
  settingsNone: '无',
  settingsAuto: '自动',
  deliveryFile: '发送文件',
  deliveryLink: '发送链接',
  seconds: (s: number) => `${s} 秒`,
  settingsHow:
    '修改：/settings aspect 9:16|1:1|16:9|none · length <秒数>|none · notes <文字>|clear · lang en|zh|auto · delivery file|link · reset',
  settingsAdminsHint: '在群组中只有管理员可以修改这些设置。',
  settingsSaved: '✅ 已保存。',
  settingsCleared: '✅ 默认设置已清除。',
  settingsBadKey: (key: string) =>
    `我不认识设置项“${clip(key, 20)}”。可用设置：aspect、length、notes、lang、delivery（或 reset）。`,
  settingsBadAspect: (allowed: string) => `画幅比例只能是 ${allowed} 之一（或 none）。`,
  settingsBadLength: (min: number, max: number) =>
    `目标时长必须是 ${min} 到 ${max} 之间的整数秒（或 none），例如 /settings length 15。`,
  settingsBadLang: '回复语言只能是 en、zh 或 auto。',
  settingsBadDelivery: '导出方式只能是 file（发送 MP4 文件）或 link（发送链接）。',
  settingsNotesTooLong: (len: number, max: number) =>
    `📝 品牌说明最多 ${num(max)} 个字符——你的有 ${num(len)} 个。未做任何修改：请缩短后重新发送。`,
  settingsNotesAsk: (max: number) =>
    `📝 请回复这条消息，写下品牌说明（最多 ${max} 个字符：语气、颜色、要用或避免的词），或发送 /settings notes <文字>。`,
  notesTitle: '品牌说明',
  notesLabel: '会加到每个新需求中',
  defaultsUsed: (parts: string) => `⚙️ 已使用本频道的默认设置：${parts}。`,
  defaultsForAgent: (parts: string[]) => `本视频的默认要求：${parts.join('；')}。`,
  agentAspect: (a: string) => `画幅比例 ${a}`,
  agentLength: (s: number) => `时长约 ${s} 秒`,
  agentNotes: (n: string) => `品牌说明：${n}`,
  brandNotesShort: '品牌说明',
};
