import { describe, expect, it } from 'vitest';
import {
  buttonAction,
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

describe('splitCaption', () => {
  it('moves text past 1024 characters into follow-up messages', () => {
    const { caption, rest } = splitCaption(`${'word '.repeat(300)}`);
    expect(caption.length).toBeLessThanOrEqual(MAX_CAPTION);
    expect(rest.length).toBe(1);
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
