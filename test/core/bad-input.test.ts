import { afterEach, describe, expect, it } from 'vitest';
import { formatList } from '../../src/core/errors.ts';
import type { Attachment } from '../../src/core/ports.ts';
import { route } from '../../src/core/routing.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { pdf, SAMPLE_MP4, tinyJpeg, tinyPng, windowsExe } from '../fakes/media.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Careless and hostile input through the real engine, client and fake NemoVideo (issue 10): each gets a clear
// answer in the user's language, and nothing reaches NemoVideo that should not.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** An attachment streamed from bytes, as the terminal and Telegram hand them over. */
function file(name: string, bytes: Buffer, size: number | undefined = bytes.length): Attachment {
  const a: Attachment = {
    name,
    open: async () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          if (bytes.length) c.enqueue(new Uint8Array(bytes));
          c.close();
        },
      }),
  };
  if (size !== undefined) a.size = size;
  return a;
}

describe('invisible characters, slashes and long lines', () => {
  it.each([
    ['credits\u200b', 'credits'],
    ['\ufeffexport', 'export'],
    ['\u200bstatus\u200d', 'status'],
    ['/credits\u2060', 'credits'],
    ['\ufeff/help', 'help'],
    ['积分\u200b', 'credits'],
  ])('%j routes as the keyword %s', (text, name) => {
    expect(route(text)).toMatchObject({ kind: 'command', name });
  });

  it('keeps joiners inside a prompt (emoji sequences) but not at its edges', () => {
    expect(route('\u200dmake a video for 👨‍👩‍👧 families\u200b')).toEqual({
      kind: 'agent',
      text: 'make a video for 👨‍👩‍👧 families',
    });
  });

  it('a line of only zero-width characters is empty: help, nothing to the agent', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '\u200b\u200c\u200d\ufeff\u2060'), chat);
    expect(chat.texts()).toEqual([en.help(en.helpExamples)]);
    expect(h.fake.chats).toEqual([]);
  });

  it.each(['/', '//', ' /// '])('%j alone gets a clear answer and is not sent to the agent', async (text) => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, text), chat);
    await h.engine.handle(inbound(chat, text, { locale: 'zh-CN' }), chat);
    expect(chat.texts()).toEqual([en.unknownCommand(''), zh.unknownCommand('')]);
    expect(chat.texts()[0]).toMatch(/\/help/);
    expect(h.fake.chats).toEqual([]);
  });

  it('a 1 MB line is refused with the limit, not sent; a line at the limit goes', async () => {
    h = await harness({ env: { MAX_PROMPT_CHARS: '8000' } });
    const chat = recordingChat();
    const huge = 'make it pop '.repeat(90_000);
    await h.engine.handle(inbound(chat, huge), chat);
    expect(chat.texts()).toEqual([en.promptTooLong(huge.length, 8000)]);
    expect(chat.texts()[0]).toContain('8,000');
    expect(chat.log[0]?.ephemeral).toBe(true);
    expect(h.fake.chats).toEqual([]);
    const chinese = '做'.repeat(8001);
    await h.engine.handle(inbound(chat, chinese), chat);
    expect(chat.texts().at(-1)).toBe(zh.promptTooLong(8001, 8000));
    // Characters, not UTF-16 units: 8,000 emoji (16,000 units) are within the limit.
    await h.engine.handle(inbound(chat, `${'🎬'.repeat(7990)} promo`), chat);
    expect(h.fake.chats).toHaveLength(1);
  });
});

describe('uploads are checked by content before any byte reaches NemoVideo', () => {
  const cases: Array<[string, string, Buffer, (lang: 'en' | 'zh') => string]> = [
    [
      'an .exe renamed .png',
      'cat.png',
      windowsExe(),
      (l) => (l === 'en' ? en : zh).attachmentNotMedia('cat.png', 'exe', formatList()),
    ],
    [
      'a PDF named .mp4',
      'brief.mp4',
      pdf(),
      (l) => (l === 'en' ? en : zh).attachmentNotMedia('brief.mp4', 'pdf', formatList()),
    ],
    [
      'plain text named .jpg',
      'notes.jpg',
      Buffer.from('just some words, no image here'),
      (l) => (l === 'en' ? en : zh).attachmentNotMedia('notes.jpg', undefined, formatList()),
    ],
    [
      'a JPEG named .mp4',
      'clip.mp4',
      tinyJpeg(),
      (l) => (l === 'en' ? en : zh).attachmentMismatch('clip.mp4', 'video', 'jpg'),
    ],
    [
      'an MP4 named .png',
      'still.png',
      SAMPLE_MP4,
      (l) => (l === 'en' ? en : zh).attachmentMismatch('still.png', 'image', 'mp4'),
    ],
  ];

  it.each(cases.flatMap((c) => (['en', 'zh'] as const).map((l) => [...c, l] as const)))(
    '%s (%s) is refused in %s',
    async (_what, name, bytes, expected, lang) => {
      h = await harness();
      const chat = recordingChat();
      await h.engine.handle(
        inbound(chat, lang === 'en' ? 'animate this' : '把它做成动画', {
          attachments: [file(name, bytes)],
          ...(lang === 'zh' ? { locale: 'zh-CN' } : {}),
        }),
        chat,
      );
      expect(chat.texts()).toContain(expected(lang));
      expect(chat.texts().some((t) => t.startsWith('📎 Uploaded') || t.startsWith('📎 已上传'))).toBe(false);
      expect(h.fake.count('upload')).toBe(0);
      expect(h.fake.chats).toEqual([]);
    },
  );

  it('a 0-byte file is refused at once by its size, before a session or a queue', async () => {
    h = await harness();
    const chat = recordingChat();
    let opened = false;
    const empty = file('empty.mp4', Buffer.alloc(0));
    const open = empty.open!;
    empty.open = (s) => {
      opened = true;
      return open(s);
    };
    await h.engine.handle(inbound(chat, 'cut this', { attachments: [empty] }), chat);
    expect(chat.texts()).toEqual([en.attachmentEmpty('empty.mp4')]);
    expect(opened).toBe(false);
    expect(h.fake.count('session')).toBe(0);
  });

  it('an empty stream whose size was not told is refused, not reported as uploaded', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(
      inbound(chat, '', { attachments: [file('photo.jpg', Buffer.alloc(0), undefined)] }),
      chat,
    );
    expect(chat.texts()).toContain(en.attachmentEmpty('photo.jpg'));
    expect(chat.texts().some((t) => t.startsWith('📎 Uploaded'))).toBe(false);
    expect(h.fake.count('upload')).toBe(0);
  });

  it('real media goes through byte for byte, the sampled head included (PNG, MP4 named .m4a)', async () => {
    h = await harness();
    const chat = recordingChat();
    const png = tinyPng();
    await h.engine.handle(inbound(chat, '', { attachments: [file('cat.png', png)] }), chat);
    // Phones name audio-only MP4s .m4a and the reverse: one container, not held against the file.
    await h.engine.handle(inbound(chat, '', { attachments: [file('voice.m4a', SAMPLE_MP4)] }), chat);
    expect(h.fake.uploads.map((u) => u.filename)).toEqual(['cat.png', 'voice.m4a']);
    expect(h.fake.uploads[0]?.bytes.equals(png)).toBe(true);
    expect(h.fake.uploads[1]?.bytes.equals(SAMPLE_MP4)).toBe(true);
    expect(chat.texts().filter((t) => t.startsWith('📎 Uploaded'))).toHaveLength(2);
  });

  it('a file NemoVideo fetches by URL is still sniffed first when the bot can read it', async () => {
    h = await harness();
    const chat = recordingChat();
    const exe = { ...file('cat.png', windowsExe()), url: 'https://cdn.example.com/cat.png' };
    await h.engine.handle(inbound(chat, '', { attachments: [exe] }), chat);
    expect(chat.texts()).toContain(en.attachmentNotMedia('cat.png', 'exe', formatList()));
    expect(h.fake.count('upload')).toBe(0);
  });
});

describe('links given to /upload', () => {
  const link = (url: string, name = 'clip.mp4'): Attachment => ({ name, url });

  it.each([
    ['ftp://files.example.com/clip.mp4', en.urlScheme('ftp')],
    ['file:///etc/passwd.mp4', en.urlScheme('file')],
    ['https://ann:hunter2@files.example.com/clip.mp4', en.urlCredentials],
    ['https://files.example.com/a%zz.mp4', en.urlMalformed('https://files.example.com/a%zz.mp4')],
    ['https://', en.urlMalformed('https://')],
  ])('%s is refused before NemoVideo sees it', async (url, expected) => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '', { attachments: [link(url)] }), chat);
    expect(chat.texts()).toEqual([expected]);
    expect(chat.texts()[0]).not.toContain('hunter2');
    expect(h.fake.count('upload')).toBe(0);
    expect(h.fake.count('session')).toBe(0);
  });

  it('a link NemoVideo could not fetch is told as such (its host only), in the chat’s language', async () => {
    h = await harness();
    const chat = recordingChat();
    const url = 'https://files.nowhere.invalid/private/clip.mp4?token=abc';
    await h.engine.handle(inbound(chat, 'cut it', { attachments: [link(url)] }), chat);
    await h.engine.handle(inbound(chat, '剪短', { attachments: [link(url)], locale: 'zh-CN' }), chat);
    const said = chat.texts();
    expect(said).toContain(en.urlUnfetchable('files.nowhere.invalid'));
    expect(said).toContain(zh.urlUnfetchable('files.nowhere.invalid'));
    expect(said.join('\n')).not.toContain('token=abc');
    expect(h.fake.chats).toEqual([]);
  });

  it('a well-formed https link is handed to NemoVideo as is', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(
      inbound(chat, '', { attachments: [link('https://files.example.com/my%20clip.mp4')] }),
      chat,
    );
    expect(h.fake.count('upload')).toBe(1);
    expect(chat.texts().some((t) => t.startsWith('📎 Uploaded'))).toBe(true);
  });
});

describe('paths the terminal could not use', () => {
  it('a directory, and an unquoted path with spaces, in both languages', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '', { attachments: [{ name: './clips', directory: true }] }), chat);
    const spaced: Attachment = { name: 'my', missing: true, spacedPath: 'my clip.mp4' };
    await h.engine.handle(inbound(chat, 'clip.mp4 make it short', { attachments: [spaced] }), chat);
    await h.engine.handle(inbound(chat, '剪短', { attachments: [spaced], locale: 'zh-CN' }), chat);
    expect(chat.texts()).toEqual([
      en.isDirectory('./clips'),
      en.fileNotFoundQuote('my', 'my clip.mp4'),
      zh.fileNotFoundQuote('my', 'my clip.mp4'),
    ]);
    expect(chat.texts()[0]).toContain('is a directory');
    expect(chat.texts()[1]).toContain('/upload "my clip.mp4"');
  });
});
