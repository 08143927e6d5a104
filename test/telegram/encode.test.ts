import { describe, expect, it } from 'vitest';
import {
  buttonAction,
  clip,
  keyboard,
  MAX_CAPTION,
  MAX_TEXT,
  splitCaption,
  splitText,
} from '../../src/adapters/telegram/encode.ts';

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('hello')).toEqual(['hello']);
  });

  it('splits at 4096 preferring a line break, each part within the limit', () => {
    const line = `${'a'.repeat(99)}\n`;
    const text = line.repeat(100); // 10 000 characters
    const parts = splitText(text);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(parts.join('\n').replace(/\n+/g, '\n').trim()).toBe(text.trim());
  });

  it('hard-cuts a text without spaces but never inside a surrogate pair', () => {
    const text = `${'x'.repeat(MAX_TEXT - 1)}😀${'y'.repeat(10)}`;
    const parts = splitText(text);
    expect(parts[0]).toBe('x'.repeat(MAX_TEXT - 1));
    expect(parts[1]!.startsWith('😀')).toBe(true);
  });
});

describe('splitText: what Telegram would refuse', () => {
  it('sends no part for a text that is empty once cleaned (Telegram: "message text is empty")', () => {
    expect(splitText('')).toEqual([]);
    expect(splitText('\x00\x07 \x1b[2J\n')).toEqual([]);
  });

  it('removes NUL and escape sequences, and keeps markup characters as typed (no parse_mode)', () => {
    expect(splitText('a\x00b \x1b]0;t\x07<b>*bold*</b> [x](tg://user?id=1)')).toEqual([
      'ab <b>*bold*</b> [x](tg://user?id=1)',
    ]);
  });

  it('clip cleans and cuts an edit to 4096 with an ellipsis', () => {
    expect(clip('x'.repeat(5000))).toHaveLength(MAX_TEXT);
    expect(clip('a\u202eb\x08')).toBe('ab');
  });
});

describe('splitCaption', () => {
  it('moves text past 1024 characters into follow-up messages', () => {
    const { caption, rest } = splitCaption(`${'word '.repeat(300)}`);
    expect(caption.length).toBeLessThanOrEqual(MAX_CAPTION);
    expect(rest.length).toBe(1);
  });

  it('follow-ups continue where the caption stopped, at the 4096 limit, losing only whitespace', () => {
    const text = `${'caption '.repeat(200)}\n\n${'body '.repeat(1500)}`;
    const { caption, rest } = splitCaption(text);
    expect(caption.length).toBeLessThanOrEqual(MAX_CAPTION);
    expect(caption.length).toBeGreaterThan(MAX_CAPTION / 2);
    for (const p of rest) expect(p.length).toBeLessThanOrEqual(MAX_TEXT);
    expect([caption, ...rest].join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  it('a caption that fits stays whole; a blank one is empty', () => {
    expect(splitCaption('Your video is ready 🎬')).toEqual({ caption: 'Your video is ready 🎬', rest: [] });
    expect(splitCaption('\x00')).toEqual({ caption: '', rest: [] });
  });
});

describe('keyboard', () => {
  it('labels buttons in the chat language with the action as callback data', () => {
    expect(keyboard(['export', 'credits'], 'zh')).toEqual({
      inline_keyboard: [
        [
          { text: '🎬 导出', callback_data: 'export' },
          { text: '💰 积分', callback_data: 'credits' },
        ],
      ],
    });
    expect(keyboard([], 'en')).toBeUndefined();
  });

  it('decodes only known actions', () => {
    expect(buttonAction('status')).toBe('status');
    expect(buttonAction('rm -rf')).toBeUndefined();
  });
});
