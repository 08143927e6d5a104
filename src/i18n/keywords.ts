// Keyword tables for routing (docs/decisions.md decision 6) and for the agent's GUI-speak (decision 7), as data.
// Routing matches a WHOLE phrase after mentions and fillers are gone (src/core/routing.ts); the tables stay
// close to the skill's routing table plus obvious synonyms, because every phrase listed here is a message
// that never reaches the agent.

/** Whole phrases of one command, lower case, single spaces; Chinese without spaces. */
export interface Phrases {
  readonly en: readonly string[];
  readonly zh: readonly string[];
}

/**
 * The phrases of the commands a bare keyword may trigger; the command table (./commands.ts) names which
 * list belongs to which command.
 */
export const COMMAND_PHRASES = {
  export: {
    en: [
      'export',
      'export it',
      'export video',
      'export the video',
      'export my video',
      'export mp4',
      'export the mp4',
      'download',
      'download it',
      'download video',
      'download the video',
      'download my video',
      'download the mp4',
      'send me the video',
      'send the video',
      'send me my video',
      'send me the mp4',
      'give me the video',
      'give me my video',
      'render',
      'render it',
      'render the video',
    ],
    zh: [
      '导出',
      '导出视频',
      '导出成片',
      '导出mp4',
      '下载',
      '下载视频',
      '渲染',
      '渲染视频',
      '把视频发给我',
      '视频发给我',
      '发给我视频',
      '发我视频',
      '给我视频',
    ],
  },
  credits: {
    en: [
      'credits',
      'credit',
      'my credits',
      'credit balance',
      'credits balance',
      'balance',
      'my balance',
      'check credits',
      'check my credits',
      'check balance',
      'credits left',
      'remaining credits',
      'how many credits',
      'how many credits left',
      'how many credits do i have',
      'how many credits do i have left',
    ],
    zh: [
      '积分',
      '我的积分',
      '积分余额',
      '剩余积分',
      '查积分',
      '查询积分',
      '查看积分',
      '多少积分',
      '还有多少积分',
      '我还有多少积分',
      '余额',
      '我的余额',
      '查余额',
      '查询余额',
    ],
  },
  status: {
    en: [
      'status',
      'state',
      'project status',
      'show status',
      'show tracks',
      'show the tracks',
      'show timeline',
      'show the timeline',
      'show me the timeline',
      'tracks',
      'timeline',
      // A bare "progress?" while a turn runs: status answers at once (it never waits for the chat's lock)
      // instead of queueing a paid agent message behind the running turn.
      'progress',
    ],
    zh: [
      '状态',
      '项目状态',
      '查看状态',
      '显示轨道',
      '查看轨道',
      '轨道',
      '时间线',
      '查看时间线',
      '显示时间线',
      '时间轴',
      '查看时间轴',
      '进度',
      '查看进度',
    ],
  },
  upload: {
    en: ['upload', 'upload a file', 'upload file', 'upload a video', 'upload video', 'upload images'],
    zh: ['上传', '上传文件', '上传视频', '上传图片', '上传素材'],
  },
  help: {
    en: ['help', 'help me', 'commands', 'how to use', 'how does this work'],
    zh: ['帮助', '使用说明', '怎么用', '命令'],
  },
  cancel: {
    en: ['cancel', 'cancel it', 'stop', 'stop it', 'abort'],
    zh: ['取消', '停止', '停下', '中止'],
  },
  reset: {
    en: ['reset', 'new project', 'start over', 'start a new project'],
    zh: ['重置', '新项目', '新建项目', '重新开始'],
  },
} as const satisfies Record<string, Phrases>;

/**
 * Politeness fillers removed before matching. English ones are whole words (longest first); Chinese ones
 * are removed anywhere, which is safe only because the rest must then equal a whole phrase of the table.
 */
export const FILLERS: { readonly en: readonly string[]; readonly zh: readonly string[] } = {
  en: [
    'could you please',
    'can you please',
    'would you please',
    'i would like to',
    "i'd like to",
    'i want to',
    'thank you',
    'could you',
    'can you',
    'would you',
    'will you',
    'please',
    'pls',
    'plz',
    'kindly',
    'thanks',
    'thx',
    'now',
    "let's",
  ],
  zh: [
    '麻烦你',
    '麻烦',
    '帮我',
    '帮忙',
    '给我',
    '我要',
    '我想要',
    '我想',
    '可以吗',
    '好吗',
    '行吗',
    '谢谢',
    '谢啦',
    '多谢',
    '现在',
    '马上',
    '一下',
    '请',
    '吧',
    '呗',
    '啊',
    '呀',
  ],
};

/** Punctuation dropped before matching (ASCII and full-width), so "Export!" and "导出。" match. */
export const PUNCTUATION = /[.,!?;:~…"“”'‘’()（）[\]【】。，、！？；：～·\-—]/gu;

// --- The agent's GUI-speak (src/core/gui.ts) ---

export const GUI = {
  /** English verbs that press a control. "hit"/"press"/"tap"/"select" also need a GUI-looking target. */
  clickVerbs: /\b(?:click(?:ing|ed)?|tap(?:ping|ped)?|press(?:ing|ed)?|hit(?:ting)?|select(?:ing)?)\b/giu,
  /** After "click": words that mean it is not a control ("a click of a button", "click here to learn"). */
  notTarget: /^(?:of|away|through|rate|bait)\b/iu,
  /** Nouns that make a phrase a control, for the weaker verbs. */
  controlNouns: /\b(?:button|icon|tab|menu|panel|option|toolbar|link)\b/iu,
  /** A named control anywhere: "the Export button", "导出按钮". */
  exportButton: /\b(?:export|download)\s+(?:button|icon)\b|导出按钮|下载按钮|[“"「]导出[”"」]按钮/iu,
  /** Chinese clicks: the target follows within the sentence. */
  zhClick: /(?:点击|单击|点按|轻点|点一下|按下|点[“"「]|按[“"「])/u,
  /** "open the X panel", "go to the X tab" / 打开…面板. */
  openPanel:
    /\b(?:open(?:ing)?|go(?:ing)?\s+to|switch(?:ing)?\s+to|navigate\s+to)\s+(?:up\s+)?(?:the\s+|your\s+)?[\w"“”'‘’ -]{0,30}?\b(?:panel|tab|menu|sidebar|window|settings|dialog|editor|library|inspector)\b/iu,
  zhOpenPanel: /打开[^。！？\n]{0,15}?(?:面板|菜单|窗口|标签页|选项卡|编辑器|设置|侧边栏|对话框|素材库)/u,
  /** Drag and drop: the bot asks the user to describe the edit instead. */
  drag: /\bdrag(?:ging|ged)?(?:\s*(?:-and-|and|&|n)\s*drop)?\s+(?:the|it|them|your|a|an|this|that|these|those|to|into|onto|clips?|files?|and)\b|\bdrag(?:-and-|\s*&\s*)drop\b|\bdrop\s+(?:it|them|the\s+[\w-]+(?:\s+[\w-]+)?|your\s+[\w-]+)\s+(?:onto|into|on|in|to)\b/iu,
  zhDrag: /拖拽|拖动|拖放|拖到|拖入|拖曳/u,
  /** Previewing in the timeline: the bot shows its own track summary. */
  previewTimeline:
    /\b(?:preview|view|check|see|review|watch|look\s+at)\b[^.!?\n]{0,40}?\b(?:in|on|at)\s+(?:the\s+)?timeline\b|\btimeline\s+preview\b/iu,
  zhPreviewTimeline:
    /时间[线轴][中上里内]?(?:预览|查看)|预览时间[线轴]|在时间[线轴][^。！？\n]{0,8}?(?:预览|查看)/u,
  /** Targets (of a click or a panel) that map to an action. */
  exportTarget: /export|download|导出|下载/iu,
  summaryTarget: /preview|timeline|预览|时间线|时间轴/iu,
  /** A bare mention of exporting in the agent's text: show it with an Export button. */
  exportMention: /\b(?:export|download)(?:s|ed|ing)?\b|导出|下载/iu,
} as const;
