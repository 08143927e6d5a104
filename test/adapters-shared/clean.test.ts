import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/adapters/shared/clean.ts';
import { HOSTILE, HOSTILE_CLEAN, UNSAFE } from './hostile.ts';

// What cleanText removes, case by case: each one would act on a terminal or a client instead of being read.

const ESC = '\x1b';
const BEL = '\x07';

describe('cleanText: escape sequences go whole', () => {
  it.each([
    ['clear screen', `a${ESC}[2Jb`, 'ab'],
    ['cursor home and clear', `a${ESC}[H${ESC}[3Jb`, 'ab'],
    ['colour and reset', `${ESC}[31;1mred${ESC}[0m text`, 'red text'],
    ['private mode (hide cursor)', `a${ESC}[?25lb`, 'ab'],
    ['window title ended by BEL', `a${ESC}]0;you have been pwned${BEL}b`, 'ab'],
    ['window title ended by ST', `a${ESC}]2;title${ESC}\\b`, 'ab'],
    ['hyperlink', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['device control string', `a${ESC}Pq#0;2;0;0;0${ESC}\\b`, 'ab'],
    ['full reset', `a${ESC}cb`, 'ab'],
    ['8-bit CSI', 'a\x9b2Jb', 'ab'],
    ['8-bit OSC', 'a\x9d0;title\x07b', 'ab'],
  ])('%s', (_name, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('an unterminated sequence loses its introducer and stays inert text', () => {
    const out = cleanText(`a${ESC}]0;title without end`);
    expect(out).toBe('a0;title without end');
    expect(UNSAFE.test(out)).toBe(false);
  });
});

describe('cleanText: control characters', () => {
  it('keeps newline and tab', () => {
    expect(cleanText('line one\n\tindented')).toBe('line one\n\tindented');
  });

  it('turns CRLF into a newline and drops a lone CR that would overwrite the line', () => {
    expect(cleanText('one\r\ntwo')).toBe('one\ntwo');
    expect(cleanText('Paid 100 credits\rPaid   0')).toBe('Paid 100 creditsPaid   0');
  });

  it('drops NUL, BEL, backspace, vertical tab, form feed, DEL and C1 controls', () => {
    expect(cleanText('a\x00b\x07c\x08d\x0be\x0cf\x7fg\x85h\x9fi')).toBe('abcdefghi');
  });

  it('drops bidi embeddings, overrides and isolates', () => {
    // "invoice_‮fdp.exe" shows as "invoice_exe.pdf" with the override.
    expect(cleanText('invoice_\u202efdp.exe')).toBe('invoice_fdp.exe');
    expect(cleanText('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069ok')).toBe('ok');
  });

  it('replaces a lone surrogate (no UTF-8 for it) and keeps real pairs', () => {
    expect(cleanText('a\ud83db😀')).toBe('a\ufffdb😀');
    expect(cleanText('\ude00x')).toBe('\ufffdx');
  });
});

describe('cleanText: all at once', () => {
  it('leaves only the words of a hostile text', () => {
    expect(cleanText(HOSTILE)).toBe(HOSTILE_CLEAN);
    expect(UNSAFE.test(cleanText(HOSTILE))).toBe(false);
    expect(cleanText(cleanText(HOSTILE))).toBe(HOSTILE_CLEAN);
  });
});

describe('cleanText: what stays', () => {
  it('leaves ordinary text of every script, emoji sequences and marks alone', () => {
    const text =
      '给我的蜡烛店做一个视频。\nCafé déjà vu — «ok» 👨‍👩‍👧‍👦🇺🇸 שלום مرحبا \u200e\u200f <b>*x*</b> [x](tg://user?id=1) @everyone';
    expect(cleanText(text)).toBe(text);
  });
});
