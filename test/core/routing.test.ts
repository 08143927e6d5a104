import { describe, expect, it } from 'vitest';
import type { CommandName } from '../../src/core/ports.ts';
import { route, stripMentions } from '../../src/core/routing.ts';

// [input, expected command] — null means: the agent gets the text (mentions stripped).
const PHRASES: Array<[string, CommandName | null]> = [
  // export, EN
  ['export', 'export'],
  ['Export please', 'export'],
  ['EXPORT!', 'export'],
  ['export, please.', 'export'],
  ['please export the video', 'export'],
  ['can you export it?', 'export'],
  ['Could you please export my video', 'export'],
  ['send me the video', 'export'],
  ['Send me the video, thanks!', 'export'],
  ['give me the video', 'export'],
  ['download', 'export'],
  ['download the video pls', 'export'],
  ['render', 'export'],
  ['export now', 'export'],
  ['  export   the   video  ', 'export'],
  // export, ZH
  ['导出', 'export'],
  ['帮我导出一下', 'export'],
  ['请导出。', 'export'],
  ['导出视频', 'export'],
  ['导出吧', 'export'],
  ['麻烦导出一下视频', 'export'],
  ['下载', 'export'],
  ['下载视频！', 'export'],
  ['把视频发给我', 'export'],
  ['请把视频发给我，谢谢', 'export'],
  ['导出 MP4', 'export'],
  ['导出？', 'export'],
  // credits
  ['credits', 'credits'],
  ['Credits?', 'credits'],
  ['balance', 'credits'],
  ['how many credits do I have?', 'credits'],
  ['积分', 'credits'],
  ['余额', 'credits'],
  ['我还有多少积分？', 'credits'],
  ['查一下余额', 'credits'], // 一下 comes out of the middle: "查余额" is a phrase
  // status
  ['status', 'status'],
  ['show tracks', 'status'],
  ['show me the timeline', 'status'],
  ['状态', 'status'],
  ['时间线', 'status'],
  ['进度？', 'status'],
  ['progress?', 'status'],
  // upload / help / cancel / reset
  ['upload', 'upload'],
  ['上传', 'upload'],
  ['上传视频', 'upload'],
  ['help', 'help'],
  ['帮助', 'help'],
  ['cancel', 'cancel'],
  ['stop!', 'cancel'],
  ['取消', 'cancel'],
  ['reset', 'reset'],
  ['new project', 'reset'],
  ['重置', 'reset'],
  ['重新开始', 'reset'],
  // negative: longer than a phrase, negated, questions, prompts
  ['make a video about download speeds', null],
  ['完成后可以导出吗？我还想加字幕', null],
  ['export the video in 4k with subtitles', null],
  ["what's my status in the project and add music", null],
  ["don't export yet", null],
  ['export it as a GIF', null],
  ['how do I export to TikTok?', null],
  ['render a 30-second promo about coffee', null],
  ['add background music and export', null],
  ['cancel the subtitles', null],
  ['stop the music at 10s', null],
  ['reset the volume of the BGM', null],
  ['upload speed is slow', null],
  ['help me write a script for a product video', null],
  ['credits roll at the end of the video', null],
  ['status update video for my team', null],
  ['new project about cats', null],
  ['please', null],
  ['thanks', null],
  ['', null],
  ['不要导出', null],
  ['先别导出', null],
  ['导出之前把标题改成红色', null],
  ['把背景音乐换成钢琴曲', null],
  ['帮我做一个关于下载速度的视频', null],
  ['积分不够怎么办', null],
  ['取消字幕', null],
  ['上传速度太慢了', null],
  ['时间线上第二段删掉', null],
  ['生成一个30秒的宣传视频', null],
  ['export; rm -rf /', null],
];

describe('route: keyword phrases (EN/ZH)', () => {
  it('has enough cases', () => {
    expect(PHRASES.length).toBeGreaterThanOrEqual(70);
    expect(PHRASES.filter(([, c]) => c === null).length).toBeGreaterThanOrEqual(25);
  });
  it.each(PHRASES)('%j → %s', (input, expected) => {
    const r = route(input);
    if (expected === null) expect(r).toEqual({ kind: 'agent', text: input.trim() });
    else expect(r).toEqual({ kind: 'command', name: expected });
  });
});

describe('route: mentions and slash commands', () => {
  const CASES: Array<[string, string[] | undefined, ReturnType<typeof route>]> = [
    ['@NemoBot export', undefined, { kind: 'command', name: 'export' }],
    ['@NemoBot export', ['@NemoBot'], { kind: 'command', name: 'export' }],
    ['<@123> credits', undefined, { kind: 'command', name: 'credits' }],
    ['<@!123> 导出', undefined, { kind: 'command', name: 'export' }],
    ['export @NemoBot', ['@NemoBot'], { kind: 'command', name: 'export' }],
    ['@nemobot, status?', ['@NemoBot'], { kind: 'command', name: 'status' }],
    ['/export@NemoBot', undefined, { kind: 'command', name: 'export' }],
    ['/export', undefined, { kind: 'command', name: 'export' }],
    ['/lang zh', undefined, { kind: 'command', name: 'lang', arg: 'zh' }],
    ['/lang@NemoBot  中文 ', undefined, { kind: 'command', name: 'lang', arg: '中文' }],
    ['/START', undefined, { kind: 'command', name: 'start' }],
    ['/open', undefined, { kind: 'command', name: 'open' }],
    ['/cancel', undefined, { kind: 'command', name: 'cancel' }],
    ['<@123> /status', undefined, { kind: 'command', name: 'status' }],
    ['/frobnicate now', undefined, { kind: 'unknown', name: 'frobnicate' }],
    ['/exprot', undefined, { kind: 'unknown', name: 'exprot' }],
    ['/导出', undefined, { kind: 'command', name: 'export' }],
    ['/状态', undefined, { kind: 'command', name: 'status' }],
    ['/home/me/video.mp4 please', undefined, { kind: 'agent', text: '/home/me/video.mp4 please' }],
    ['<@123> make a video about cats', ['<@123>'], { kind: 'agent', text: 'make a video about cats' }],
    ['make a video @NemoBot about cats', ['@NemoBot'], { kind: 'agent', text: 'make a video about cats' }],
    ['email me at a@b.com', undefined, { kind: 'agent', text: 'email me at a@b.com' }],
    ['@NemoBot', ['@NemoBot'], { kind: 'agent', text: '' }],
  ];
  it.each(CASES)('%j (mentions %j)', (input, mentions, expected) => {
    expect(route(input, mentions ? { botMentions: mentions } : {})).toEqual(expected);
  });

  it('keeps the original wording (case, punctuation, newlines) for the agent', () => {
    expect(route('@NemoBot Make it PINK!\nAnd add music.', { botMentions: ['@NemoBot'] })).toEqual({
      kind: 'agent',
      text: 'Make it PINK!\nAnd add music.',
    });
  });

  it('stripMentions leaves a prefix-sharing name alone (a leading @name still goes: it addresses someone)', () => {
    expect(stripMentions('@NemoBotFan hello', ['@NemoBot'])).toBe('hello');
    expect(stripMentions('hi @NemoBotFan', ['@NemoBot'])).toBe('hi @NemoBotFan');
  });
});
