import { describe, expect, it } from 'vitest';
import { analyseAgentText, type GuiAction, splitSentences } from '../../src/core/gui.ts';

// [agent text, expected actions, expected remaining text, offerExport]
const CASES: Array<[string, GuiAction[], string, boolean]> = [
  // export instructions in their GUI form
  ['Your video is ready! Click the Export button to download it.', ['export'], 'Your video is ready!', false],
  ['Done. Click on "Export" in the top right.', ['export'], 'Done.', false],
  ['Press Export when you are happy.', ['export'], '', false],
  ['Hit the export button and wait a minute.', ['export'], '', false],
  ['All set. Use the Export button to get your MP4.', ['export'], 'All set.', false],
  ['Tap **Export** to save the video.', ['export'], '', false],
  ['Click here to download your video. Enjoy!', ['export'], 'Enjoy!', false],
  ['You can download the video by clicking Download.', ['export'], '', false],
  ['视频已生成。点击导出按钮即可下载。', ['export'], '视频已生成。', false],
  ['完成！请点击“导出”。', ['export'], '完成！', false],
  ['点击右上角的导出按钮下载视频。祝你使用愉快！', ['export'], '祝你使用愉快！', false],
  ['Open the Export panel to choose 1080p.', ['export'], '', false],
  // other clicks and panels: query the state
  ['I drafted a script. Click Generate to create the video.', ['state'], 'I drafted a script.', false],
  ['Click the Apply button to confirm the style.', ['state'], '', false],
  ['Select the "Captions" tab to review subtitles.', ['state'], '', false],
  ['Open the Media panel to see your uploads.', ['state'], '', false],
  ['已添加素材。打开素材库面板查看。', ['state'], '已添加素材。', false],
  ['点击生成按钮开始制作。', ['state'], '', false],
  // timeline previews: the bot's own summary
  ['I added the BGM. Preview it in the timeline.', ['summary'], 'I added the BGM.', false],
  ['Check the result on the timeline before exporting.', ['summary'], '', true],
  ['Click Preview to watch it.', ['summary'], '', false],
  ['背景音乐已添加。可以在时间线中预览效果。', ['summary'], '背景音乐已添加。', false],
  ['请在时间轴上查看。', ['summary'], '', false],
  // drag and drop: ask the user to describe the edit
  ['Drag the clip to reorder the scenes.', ['describe'], '', false],
  ['You can drag and drop files here.', ['describe'], '', false],
  [
    "Don't let the intro drag. I trimmed it to 3s.",
    [],
    "Don't let the intro drag. I trimmed it to 3s.",
    false,
  ],
  ['Go to the Timeline tab to check the order.', ['summary'], '', false],
  ['Switch to the Text panel and edit the caption.', ['state'], '', false],
  ['To replace the logo, drop it onto the canvas. Anything else?', ['describe'], 'Anything else?', false],
  ['你可以拖拽片段来调整顺序。还需要别的吗？', ['describe'], '还需要别的吗？', false],
  // several at once, in order
  ['Drag the title up.\nThen click Export.\nThanks!', ['describe', 'export'], 'Thanks!', false],
  // false friends: no GUI instruction, the text stays; a mention of exporting offers the button
  ["I can't export to GIF, only MP4.", [], "I can't export to GIF, only MP4.", true],
  ['Once done you can export it.', [], 'Once done you can export it.', true],
  ['完成后你可以导出视频。', [], '完成后你可以导出视频。', true],
  ['The download speed video is 30 seconds long.', [], 'The download speed video is 30 seconds long.', true],
  ['This ad will be a hit on TikTok.', [], 'This ad will be a hit on TikTok.', false],
  ['Your audience is one click away from buying.', [], 'Your audience is one click away from buying.', false],
  ['I opened with a 3-second hook.', [], 'I opened with a 3-second hook.', false],
  [
    'The new timeline has 3 tracks: video, BGM and title.',
    [],
    'The new timeline has 3 tracks: video, BGM and title.',
    false,
  ],
  ['Press coverage footage works well here.', [], 'Press coverage footage works well here.', false],
  ['好的，我已经把背景音乐换成钢琴曲。', [], '好的，我已经把背景音乐换成钢琴曲。', false],
  ['There is no export option for GIF.', [], 'There is no export option for GIF.', true],
  ['The clip is 1.5s long. Version 2.0 is next.', [], 'The clip is 1.5s long. Version 2.0 is next.', false],
  ['', [], '', false],
];

describe('analyseAgentText', () => {
  it('has enough cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
  it.each(CASES)('%j → %j', (input, actions, text, offerExport) => {
    expect(analyseAgentText(input)).toEqual({ text, actions, offerExport });
  });

  it('keeps paragraphs and list items around a removed sentence', () => {
    const input =
      'Here is the plan:\n1. Intro scene\n2. Product shots\n\nClick Export when ready.\n\nAnything to change?';
    expect(analyseAgentText(input)).toEqual({
      text: 'Here is the plan:\n1. Intro scene\n2. Product shots\n\nAnything to change?',
      actions: ['export'],
      offerExport: false,
    });
  });
});

describe('splitSentences', () => {
  it.each([
    ['Ok. B! C? D', ['Ok. ', 'B! ', 'C? ', 'D']],
    ['一。二！三？', ['一。', '二！', '三？']],
    ['x\ny', ['x\n', 'y']],
    ['1. Click Export', ['1. Click Export']],
    ['e.g. this. Next', ['e.g. this. ', 'Next']],
    ['他说“好。”然后走了', ['他说“好。”', '然后走了']],
  ])('%j', (input, expected) => {
    expect(splitSentences(input)).toEqual(expected);
    expect(splitSentences(input).join('')).toBe(input);
  });
});
