// Words of the loop's platform commands (issue 14): Discord's message command and the options of /settings.
// The values they carry are the ones `/settings <key> <value>` takes (src/core/settings.ts).

type Words = { readonly en: string; readonly zh: string };

/** The message context-menu command (Discord: right-click a message → Apps). */
export const MESSAGE_COMMAND: Words = { en: 'Make a video from this', zh: '用这条消息做视频' };

export interface SettingOption {
  /** The option name, and the key of `/settings <key> <value>`. */
  readonly name: 'aspect' | 'length' | 'language' | 'delivery' | 'notes' | 'reset';
  readonly zh: string;
  readonly description: Words;
  readonly kind: 'choice' | 'integer' | 'text' | 'boolean';
  readonly choices?: ReadonlyArray<{ readonly value: string; readonly label: Words }>;
}

export const SETTING_OPTIONS: readonly SettingOption[] = [
  {
    name: 'aspect',
    zh: '画幅',
    kind: 'choice',
    description: { en: 'Default aspect ratio', zh: '默认画幅比例' },
    choices: [
      { value: '9:16', label: { en: 'Vertical 9:16', zh: '竖屏 9:16' } },
      { value: '1:1', label: { en: 'Square 1:1', zh: '方形 1:1' } },
      { value: '16:9', label: { en: 'Landscape 16:9', zh: '横屏 16:9' } },
      { value: 'none', label: { en: 'No default', zh: '不设默认' } },
    ],
  },
  {
    name: 'length',
    zh: '时长',
    kind: 'integer',
    description: { en: 'Target length in seconds', zh: '目标时长（秒）' },
  },
  {
    name: 'language',
    zh: '语言',
    kind: 'choice',
    description: { en: 'Reply language', zh: '回复语言' },
    choices: [
      { value: 'en', label: { en: 'English', zh: '英文' } },
      { value: 'zh', label: { en: '中文', zh: '中文' } },
      { value: 'auto', label: { en: 'Automatic', zh: '自动' } },
    ],
  },
  {
    name: 'delivery',
    zh: '导出方式',
    kind: 'choice',
    description: { en: 'Exports attach the file or post a link', zh: '导出时发送文件还是链接' },
    choices: [
      { value: 'file', label: { en: 'Attach the file', zh: '发送文件' } },
      { value: 'link', label: { en: 'Post a link', zh: '发送链接' } },
    ],
  },
  {
    name: 'notes',
    zh: '品牌说明',
    kind: 'text',
    description: {
      en: 'Brand notes added to every new brief ("clear" removes them)',
      zh: '加到每个新需求中的品牌说明（clear 清除）',
    },
  },
  {
    name: 'reset',
    zh: '重置',
    kind: 'boolean',
    description: { en: 'Clear every default', zh: '清除所有默认设置' },
  },
];
