// 中文消息: typed against the English object, so a missing key or a changed signature fails to compile.
// Lines keep Chinese text in them (the terminal test checks every line of a Chinese chat carries Han).

import { helpLines } from './commands.ts';
import type { Lang, Platform } from './lang.ts';
import type { ErrorContext, ErrorMessages, MediaKind, Messages } from './messages.en.ts';

const num = (n: number): string => n.toLocaleString('en-US');
const KIND: Record<MediaKind, string> = { video: '视频', image: '图片', audio: '音频' };
const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);
const PLATFORM: Record<Platform, string> = { telegram: 'Telegram', discord: 'Discord', terminal: '终端' };
const clip = (s: string, max = 40): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

const errors: ErrorMessages = {
  token_invalid: (c: ErrorContext) =>
    !c.operator
      ? '⚠️ NemoVideo 没有接受机器人的登录，请稍后再试。'
      : c.platform === 'terminal'
        ? '⚠️ NemoVideo 拒绝了 NEMO_TOKEN（机器人使用的运营者令牌）。请设置有效的令牌，或删除 NEMO_TOKEN 改用免费试用，然后重新启动机器人。'
        : '⚠️ NemoVideo 拒绝了本机器人运营者的令牌，修好之前我无法制作视频——请告诉机器人的运营者。重试没有用。',
  session_not_found: () => 'ℹ️ 你的 NemoVideo 会话已过期，请重新发送你的请求以开始新会话。',
  no_credits: (c: ErrorContext) =>
    c.operator || !c.registerUrl
      ? c.operator
        ? '💳 机器人的 NemoVideo 账户积分已用完——请告诉机器人的管理员。'
        : '💳 你的 NemoVideo 积分已用完，请在账户中充值。'
      : `💳 免费试用积分已用完。注册即可获得更多积分并保留此项目：${c.registerUrl}`,
  unsupported_file: (c: ErrorContext) => `📎 NemoVideo 不支持这个文件。支持的格式：${c.formats}。`,
  file_too_large: (c: ErrorContext) => `📎 文件太大（上限 ${c.maxMb} MB），请压缩或剪短后再试。`,
  client_id_missing: () => '⚠️ NemoVideo 拒绝了机器人的试用登录，请稍后再试。',
  export_blocked: () => '🔒 NemoVideo 限制了当前套餐的导出（与积分无关）：请注册或升级套餐以解锁导出。',
  rate_limited: () => '⏳ NemoVideo 正忙——请一分钟后再试。',
  trial_limit: () => '🚫 本机器人的免费试用次数已达上限——管理员可以设置 NEMO_TOKEN 来使用 NemoVideo 账户。',
  backend: () => '⚠️ NemoVideo 暂时无法完成此操作，请重试。',
  unreachable: (c: ErrorContext) =>
    c.platform === 'terminal'
      ? '📡 连不上 NEMO_API_URL 中的 NemoVideo 地址。请检查这个地址和网络连接——或者运行 `npm run dev`，用本地的模拟 NemoVideo 离线试用。'
      : '📡 现在连不上 NemoVideo——请稍后再试。',
  backend_url_wrong: (c: ErrorContext) =>
    c.platform === 'terminal'
      ? '⚠️ NEMO_API_URL 在 NemoVideo 自己的接口上返回“404 Not Found”，地址看来不对：请使用不带路径的 API 根地址（默认 https://mega-api-prod.nemovideo.ai），或运行 `npm run dev` 使用离线模拟服务。'
      : '⚠️ 本机器人配置了错误的 NemoVideo 地址（返回“未找到”），修好之前我无法制作视频——请告诉机器人的运营者。',
  timeout: () => '⌛ NemoVideo 响应超时。任务可能仍会完成：稍后发送“状态”查看。',
  bad_response: () => '⚠️ NemoVideo 返回了无法识别的结果，请重试。',
  stream_broken: () => '⚠️ 与 NemoVideo 的连接中断了。任务可能仍会完成：稍后发送“状态”查看。',
  render_failed: () => '❌ NemoVideo 渲染失败，请再次“导出”。',
  render_timeout: () => '⌛ 渲染时间比预期长，请过几分钟再“导出”。',
  aborted: () => '🛑 已停止。',
};

export const zh: Messages = {
  buttons: { export: '导出', status: '状态', credits: '积分' },
  connecting: '正在连接…',
  help: (examples: string[]) =>
    [
      '🎬 我用 NemoVideo 的 AI 制作视频：发给我文字或图片（或视频片段），再描述你想要的视频。渲染在云端完成，30 秒的视频大约需要 1–2 分钟。',
      '',
      '试着说：',
      ...examples.map((e) => `• “${e}”`),
      '',
      '命令：',
      ...helpLines('zh'),
      '',
      '提示：简短、具体的描述效果更好。',
    ].join('\n'),
  helpExamples: [
    '根据这段产品介绍生成一个 30 秒的宣传视频',
    '把这三张产品图片做成 1080p 的 MP4',
    '加上轻松的背景音乐和标题“城市之梦”',
  ],
  queued: (ahead: number) => `⏳ 已排队（前面还有 ${ahead} 个）…`,
  busy: '⏳ 我还在处理你之前的请求——请等当前请求完成后再试。',
  exportRunning: '🎬 已经在导出了——视频好了我就发给你。',
  stillWorking: (seconds?: number): string =>
    seconds === undefined
      ? '⏳ 仍在处理中...'
      : `⏳ 仍在处理中...（${seconds < 60 ? `${seconds} 秒` : `${Math.floor(seconds / 60)} 分钟`}）`,
  uploadHowTo: (formats: string, maxMb: number) =>
    `📎 上传方法：直接在聊天中发送文件（作为文件或附件），可以附上一句话说明要做什么。格式：${formats}。最大 ${maxMb} MB；MP4、MOV、JPG、PNG 效果最好。`,
  uploadHowToTerminal: (formats: string, maxMb: number) =>
    `📎 上传方法：输入 /upload <文件路径或 https 链接> [要做什么]，例如 /upload ./photo.jpg 做成10秒短片。格式：${formats}。最大 ${maxMb} MB。`,
  unknownCommand: (name: string) =>
    name
      ? `❓ 没有 /${name} 这个命令。输入 /help 查看我能做什么。`
      : '❓ 斜杠后面要紧跟命令名，例如 /help 或 /export。输入 /help 查看全部命令。',
  promptTooLong: (chars: number, max: number) =>
    `✂️ 这条消息有 ${num(chars)} 个字符，每条消息最多 ${num(max)} 个字符，所以我没有发送。请缩短，或分成几段依次发送。`,
  uploading: (names: string) => `📎 正在上传 ${names}…`,
  uploaded: (names: string) => `📎 已上传：${names}`,
  uploadedAsk: '现在告诉我要用它做什么吧。',
  attachmentTooLarge: (name: string, maxMb: number) =>
    `📎 “${clip(name)}”超过了 ${maxMb} MB 的上传上限，请压缩或剪短后重新发送。`,
  attachmentUnsupported: (name: string, formats: string) =>
    `📎 NemoVideo 不支持“${clip(name)}”的格式。支持的格式：${formats}。`,
  attachmentUnreadable: (name: string) => `📎 无法读取“${clip(name)}”，请重新发送。`,
  attachmentOverPlatformLimit: (name: string, size: number, limit: number, platform: Platform) =>
    `📎 “${clip(name)}”有 ${mb(size)} MB，但 ${PLATFORM[platform]} 只允许机器人下载不超过 ${mb(limit)} MB 的文件。` +
    '请发送更小或剪短的文件，或改为发送公开链接（Google Drive、Dropbox 等）。' +
    (platform === 'telegram'
      ? '机器人运营者可以通过自建 Bot API 服务器（TELEGRAM_LOCAL_API）解除此限制。'
      : ''),
  fileNotFound: (path: string) => `找不到文件：${path}`,
  fileNotFoundQuote: (path: string, spaced: string) =>
    `找不到文件：${path}。带空格的路径需要加引号：/upload "${spaced}"`,
  isDirectory: (path: string) =>
    `📁 ${path} 是一个文件夹，不是文件。请逐个上传其中的文件，例如 /upload "${path.replace(/\/+$/, '')}/clip.mp4"。`,
  attachmentEmpty: (name: string) =>
    `📎 “${clip(name)}”是空文件（0 字节），没有可上传的内容。请检查文件后重新发送。`,
  attachmentMismatch: (name: string, named: MediaKind, content: string) =>
    `📎 “${clip(name)}”的文件名表示它是${KIND[named]}，但内容是 ${content.toUpperCase()}。我只上传内容与文件名相符的文件：请改名或转换格式后重新发送。`,
  attachmentNotMedia: (name: string, content: string | undefined, formats: string) =>
    `📎 “${clip(name)}”${content ? `不是视频、图片或音频文件（内容是 ${content.toUpperCase()}）` : '不是我能识别的视频、图片或音频文件'}，所以没有上传。支持的格式：${formats}。`,
  urlScheme: (scheme: string) =>
    `🔗 我只转交 http:// 和 https:// 链接（这个是 ${scheme}:）。请使用 NemoVideo 能打开的网页链接，或者直接发送文件。`,
  urlCredentials:
    '🔗 这个链接里带有用户名或密码（user:password@…）。我不会转交密码：请改用公开链接分享文件，或者直接发送文件。',
  urlMalformed: (url: string) => `🔗 “${clip(url)}”不是有效的链接，请检查后重试。`,
  urlUnfetchable: (host: string) =>
    `🔗 NemoVideo 无法下载 ${host} 上的文件：链接可能需要登录、已经过期，或者指向的不是文件。请确认它在浏览器的无痕窗口中能打开，或者直接发送文件。`,
  done: '完成。',
  changes: (lines: string) => `修改内容：\n${lines}`,
  readyToExport: '✅ 视频已就绪——可以导出，或先查看时间线。',
  describeEdit:
    '这一步需要在 NemoVideo 编辑器里拖拽操作，聊天中做不到。请用文字描述你想要的修改（例如“把标题移到开头”），我会转达给它。',
  stuck: '⚠️ NemoVideo 很长时间只发送保活信号，我已停止等待。请求可能仍会完成：稍后发送“状态”查看时间线。',
  agentError: '⚠️ NemoVideo 处理这个请求时出了问题。请重试，或换个说法。',
  connectionLost:
    '⚠️ 消息发出后与 NemoVideo 的连接中断了。我不会重新发送（那样可能重复扣积分）——正在检查是否已生效…',
  recoveredChanges: (lines: string) => `✅ 已经生效。修改内容：\n${lines}`,
  recoveryGaveUp: '暂时没有看到任何变化。NemoVideo 可能仍在处理：过几分钟发送“状态”查看。',
  newSession: 'ℹ️ NemoVideo 找不到你之前的项目，所以我新建了一个：之前的时间线已经没有了。',
  staleRecord: 'ℹ️ 无法读取这个聊天保存的项目，所以重新开始：之前的时间线已经没有了。',
  nothingYet: '还没有可显示的内容——请先描述你想要的视频。',
  nothingToExport: '还没有可导出的内容——请先描述你想要的视频。',
  turnInProgress: (minutes: number) =>
    minutes < 1 ? '⏳ 正在处理你的请求…' : `⏳ 正在处理你的请求（${minutes} 分钟）…`,
  exportInProgress: '🎬 正在导出。',
  credits: (c: { available: number; frozen: number; total: number }) =>
    `💳 积分：可用 ${num(c.available)} · 冻结 ${num(c.frozen)}（进行中的任务占用）· 总计 ${num(c.total)}`,
  exportStarting: '🎬 正在渲染视频…',
  exportProgress: (percent: number | undefined, seconds: number) =>
    percent === undefined ? `🎬 渲染中…（${seconds} 秒）` : `🎬 渲染中… ${percent}%（${seconds} 秒）`,
  exportDownloading: (seconds: number) => `🎬 渲染完成（${seconds} 秒），正在发送视频…`,
  exportDone: (seconds: number) => `✅ 渲染完成，用时 ${seconds} 秒。`,
  videoCaption: '🎬 你的视频',
  videoAsLink: '🎬 视频太大，无法在这里直接发送，这是下载链接：',
  videoOverLimit: (platform: Platform, size: number | undefined, limit: number) =>
    `🎬 你的视频${size !== undefined ? `（${mb(size)} MB）` : ''}超过了 ${PLATFORM[platform]} 机器人 ${mb(limit)} MB 的上传限制，请在这里下载：`,
  exportResumed: '🎬 我重启了——正在继续你的导出…',
  restartedTurn: (text: string) =>
    `ℹ️ 我在处理你的请求“${clip(text)}”时重启了。我不会重新发送——请发送“状态”查看是否已生效。`,
  cancelledTurn: '🛑 已停止等待。NemoVideo 可能仍会完成该请求（并可能消耗积分）：稍后发送“状态”查看结果。',
  cancelledExport: '🛑 已取消导出。',
  cancelledQueue: (n: number) => `🛑 已取消排队中的 ${n} 个请求。`,
  nothingToCancel: '没有可以取消的内容。',
  resetDone: '🆕 好的——你的下一条消息将开始一个新项目。（旧项目仍保留在你的 NemoVideo 账户中。）',
  resetBusy: '还有请求在进行中：请等待它完成或 /cancel 取消，然后再 /reset。',
  adminOnly: '只有本聊天的管理员可以这样做。',
  langName: (lang: Lang) => (lang === 'zh' ? '中文' : '英文（English）'),
  langSet: (name: string) => `🌐 在这个聊天中我将用${name}回复。`,
  langCurrent: (name: string, chosen: boolean) =>
    `🌐 回复语言：${name}${chosen ? '（本聊天已设置）' : '（根据你的设置或消息）'}。\n用法：/lang en 或 /lang zh`,
  langUnknown: '我会两种语言：/lang en 或 /lang zh',
  openLink: (link: string) => `🔗 在 NemoVideo 网页编辑器中打开这个项目（链接仅供你使用）：${link}`,
  privateUnreachable: (bot: string | undefined, again: string | undefined) =>
    `🔒 这条回复只能发给你本人，但我还不能私信你：请打开与 ${bot ?? '我'} 的私聊，然后在那里${again ? `发送 ${again}` : '再问一次'}。`,
  openNothing: '还没有项目——请先描述你想要的视频。',
  shuttingDown: '我正在重启——请稍后再发送一次。',
  internal: '⚠️ 我这边出了点问题，请重试。',
  buttonsHint: (labels: string[]) => {
    const list =
      labels.length > 1 ? `${labels.slice(0, -1).join('、')} 或 ${labels.at(-1)}` : (labels[0] ?? '');
    return `输入 ${list}`;
  },
  terminalWelcome: 'NemoVideo —— 描述你想要的视频。输入 /help 查看命令，Ctrl+D 退出。',
  quitWhileWorking: (work: 'turn' | 'export', kept: boolean) =>
    (work === 'export'
      ? kept
        ? '⚠️ 正在导出。如果现在退出，下次启动机器人时会从中断处继续。'
        : '⚠️ 正在导出，而这个机器人停止时什么都不保留（STORE_URL=memory://）：现在退出会丢失这个视频（渲染仍可能消耗积分）。'
      : kept
        ? '⚠️ 你的请求仍在处理中。如果现在退出，NemoVideo 仍可能完成它：重新启动机器人后发送“状态”查看。'
        : '⚠️ 你的请求仍在处理中，而这个机器人停止时什么都不保留（STORE_URL=memory://）：现在退出会丢失这个项目。') +
    '再按一次 Ctrl+C 退出。',

  // --- Nothing lost, nothing charged twice (issue 9) ---
  exportInterrupted: '🎬 导出还没开始我就重启了，所以没有渲染，也没有扣积分。请点“导出”重新开始。',
  exportStillRendering:
    '🎬 NemoVideo 还在渲染你的视频，完成后我会发到这里——同一个草稿再点“导出”也不会重复渲染。',
  exportReattached: '🎬 这个草稿已经在渲染了——完成后我会马上把视频发到这里。',
  exportExpired: '⌛ NemoVideo 一直没有渲染完那个视频，请点“导出”再试一次。',
  saveFailed: (what: 'turn' | 'export' | 'render') =>
    what === 'export'
      ? '⚠️ 无法保存你的进度——存储没有响应，所以我没有开始导出，也没有扣积分。请一分钟后再点“导出”。'
      : what === 'render'
        ? '⚠️ 无法保存你的进度——存储没有响应。视频渲染好后我仍会发到这里，但如果在那之前我重启了，它可能会丢失。'
        : '⚠️ 无法保存你的进度——存储没有响应。我会继续处理这个请求，但如果我现在重启，可能会丢失它。',

  errors,
};
