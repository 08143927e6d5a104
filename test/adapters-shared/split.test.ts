import { describe, expect, it } from 'vitest';
import { clip, splitText } from '../../src/adapters/shared/split.ts';

// Named edge cases of the one splitter Telegram (4096, captions 1024) and Discord (2000) share, then a
// seeded run over random mixtures checking the invariants on every part.

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string) => [...graphemeSegmenter.segment(s)].map((g) => g.segment);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every part fits, is not blank, holds only whole graphemes of the text; only whitespace is lost. */
function expectWellSplit(text: string, parts: string[], max: number, firstMax = max): void {
  const whole = new Set(graphemes(text));
  for (const [i, p] of parts.entries()) {
    expect(p.length, `part ${i}`).toBeLessThanOrEqual(i === 0 ? firstMax : max);
    expect(p.trim(), `part ${i} is blank`).not.toBe('');
    expect(LONE_SURROGATE.test(p), `part ${i} has half a surrogate pair`).toBe(false);
    expect(
      graphemes(p).filter((g) => !whole.has(g)),
      `part ${i} cuts a grapheme`,
    ).toEqual([]);
  }
  expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
}

describe('splitText: sizes', () => {
  it('keeps a text that fits whole, untouched', () => {
    expect(splitText('hello', 10)).toEqual(['hello']);
    expect(splitText('  indented\n', 20)).toEqual(['  indented\n']);
  });

  it('keeps a text exactly at the limit in one part, and splits one unit over it', () => {
    expect(splitText('a'.repeat(10), 10)).toEqual(['a'.repeat(10)]);
    expect(splitText('a'.repeat(11), 10)).toEqual(['a'.repeat(10), 'a']);
  });

  it('gives no part at all for an empty or blank text', () => {
    expect(splitText('', 10)).toEqual([]);
    expect(splitText(' \n\t\n ', 10)).toEqual([]);
  });

  it('never returns a blank part, even when a run of blank lines straddles a cut', () => {
    const text = `${'a'.repeat(8)}${'\n'.repeat(30)}b`;
    const parts = splitText(text, 10);
    expect(parts).toEqual(['a'.repeat(8), 'b']);
  });

  it('a first part with its own limit (a caption) and the rest at the message limit', () => {
    const text = 'word '.repeat(500);
    const [caption, ...rest] = splitText(text, 400, 100);
    expect(caption!.length).toBeLessThanOrEqual(100);
    expect(caption!.length).toBeGreaterThan(90);
    expect(rest.every((p) => p.length <= 400 && p.length > 390 - 5)).toBe(true);
    expectWellSplit(text, [caption!, ...rest], 400, 100);
  });

  it('a caption limit applies to the first part that is not blank', () => {
    const parts = splitText(`${' '.repeat(150)}${'x'.repeat(300)}`, 400, 100);
    expect(parts[0]!.length).toBeLessThanOrEqual(100);
  });
});

describe('splitText: where it cuts', () => {
  it('prefers a paragraph break over a later line break', () => {
    const text = `${'a'.repeat(60)}\n\n${'b'.repeat(20)}\n${'c'.repeat(30)}`;
    expect(splitText(text, 100)).toEqual(['a'.repeat(60), `${'b'.repeat(20)}\n${'c'.repeat(30)}`]);
  });

  it('prefers a line break over a later space', () => {
    const text = `${'a'.repeat(60)}\n${'b'.repeat(20)} ${'c'.repeat(30)}`;
    expect(splitText(text, 100)).toEqual(['a'.repeat(60), `${'b'.repeat(20)} ${'c'.repeat(30)}`]);
  });

  it('takes a space over a break that would leave the part less than half full', () => {
    const text = `${'a'.repeat(10)}\n${'b'.repeat(70)} ${'c'.repeat(30)}`;
    expect(splitText(text, 100)).toEqual([`${'a'.repeat(10)}\n${'b'.repeat(70)}`, 'c'.repeat(30)]);
  });

  it('cuts at a space right after the limit: the part is exactly full', () => {
    expect(splitText('aaaa bbbb', 4)).toEqual(['aaaa', 'bbbb']);
  });

  it('drops the whitespace at a cut but keeps the indentation of the next line', () => {
    const text = `${'a'.repeat(8)}   \n  indented`;
    expect(splitText(text, 12)).toEqual(['a'.repeat(8), '  indented']);
  });

  it('cuts a single word longer than the limit, at the limit', () => {
    expect(splitText(`see ${'x'.repeat(25)}`, 10)).toEqual(['see xxxxxx', 'x'.repeat(10), 'x'.repeat(9)]);
    expect(splitText(`a long ${'x'.repeat(25)}`, 10)).toEqual([
      'a long',
      'x'.repeat(10),
      'x'.repeat(10),
      'xxxxx',
    ]);
  });

  it('cuts a long URL at a word boundary inside it rather than mid-word', () => {
    const url = 'https://example.com/videos/2026/summer-promo-final-cut.mp4';
    const parts = splitText(url, 40);
    expect(parts.join('')).toBe(url);
    expect(parts[0]).toMatch(/[/.\-:]$|[a-z0-9]$/);
    expectWellSplit(url, parts, 40);
  });
});

describe('splitText: CJK', () => {
  it('cuts Chinese after the end of a sentence', () => {
    const text = '第一句话很长很长。第二句话也很长很长。第三句';
    expect(splitText(text, 12)).toEqual(['第一句话很长很长。', '第二句话也很长很长。', '第三句']);
  });

  it('keeps a closing quote with the sentence it closes', () => {
    const text = '他说：「今天做一个视频。」然后我们开始吧';
    const parts = splitText(text, 14);
    expect(parts[0]).toBe('他说：「今天做一个视频。」');
  });

  it('cuts Chinese without punctuation between words, not inside one', () => {
    const text = '给我的蜡烛店做一个三十秒的宣传视频然后加上背景音乐';
    const parts = splitText(text, 10);
    expect(parts.join('')).toBe(text);
    // The dictionary's words: 蜡烛 (candle), 视频 (video), 背景 (background) each stay in one part.
    for (const word of ['蜡烛', '视频', '背景', '音乐'])
      expect(parts.some((p) => p.includes(word))).toBe(true);
  });

  it('never cuts a CJK character outside the BMP (a surrogate pair) in two', () => {
    const text = '𠀀'.repeat(30); // U+20000, two code units each
    const parts = splitText(text, 11);
    expect(parts.every((p) => p.length === 10)).toBe(true);
    expectWellSplit(text, parts, 11);
  });

  it('breaks at an ideographic space', () => {
    expect(splitText('一二三四五六\u3000七八九', 8)).toEqual(['一二三四五六', '七八九']);
  });
});

describe('splitText: emoji and combining marks', () => {
  it('never cuts a surrogate pair', () => {
    const text = `${'x'.repeat(4095)}😀${'y'.repeat(10)}`;
    const parts = splitText(text, 4096);
    expect(parts[0]).toBe('x'.repeat(4095));
    expect(parts[1]!.startsWith('😀')).toBe(true);
  });

  it('never cuts a ZWJ family (11 code units) even when the limit falls inside it', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `abc${family.repeat(4)}`;
    for (const max of [11, 12, 15, 20, 25]) expectWellSplit(text, splitText(text, max), max);
  });

  it('keeps flags, skin tones and keycaps whole', () => {
    const text = '🇺🇸🇬🇧🇨🇳👍🏽👍🏿1️⃣#️⃣'.repeat(5);
    for (const max of [4, 5, 7, 9]) expectWellSplit(text, splitText(text, max), max);
  });

  it('keeps a letter with its combining accents', () => {
    const text = 'Cafe\u0301 de\u0301ja\u0300 vu\u0308'.replace(/ /g, '');
    for (const max of [2, 3, 4, 5]) expectWellSplit(text, splitText(text, max), max);
  });

  it('cuts between code points only when one grapheme is longer than the whole limit', () => {
    const zalgo = `e${'\u0301'.repeat(30)}`;
    const parts = splitText(zalgo, 10);
    expect(parts.join('')).toBe(zalgo);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
  });
});

describe('splitText: huge input', () => {
  it('splits a 1 MB line without spaces into full parts', () => {
    const text = 'y'.repeat(1_000_000);
    const parts = splitText(text, 4096);
    expect(parts).toHaveLength(Math.ceil(1_000_000 / 4096));
    expect(parts.slice(0, -1).every((p) => p.length === 4096)).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('splits 1 MB of Chinese into parts near the limit', () => {
    const text = '蜡烛店的宣传视频'.repeat(125_000);
    const parts = splitText(text, 2000);
    expect(parts.every((p) => p.length <= 2000 && p.length >= 1000)).toBe(true);
    expect(parts.join('')).toBe(text);
  });
});

describe('splitText: random mixtures (seeded)', () => {
  const PIECES = [
    'word',
    ' ',
    '\n',
    '\n\n',
    '蜡烛店',
    '。',
    '，',
    '😀',
    '👨‍👩‍👧‍👦',
    '🇺🇸',
    'e\u0301',
    '𠀀',
    'x'.repeat(37),
  ];

  function mulberry32(seed: number) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('holds every invariant for 300 texts and limits', () => {
    const random = mulberry32(20_260_101);
    for (let n = 0; n < 300; n++) {
      const count = Math.floor(random() * 200);
      let text = '';
      for (let i = 0; i < count; i++) text += PIECES[Math.floor(random() * PIECES.length)];
      const max = 11 + Math.floor(random() * 120);
      const firstMax = random() < 0.3 ? 11 + Math.floor(random() * max) : max;
      expectWellSplit(text, splitText(text, max, firstMax), max, firstMax);
    }
  });
});

describe('clip', () => {
  it('leaves a text that fits and cuts a longer one to the limit with an ellipsis', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('a'.repeat(10), 10)).toBe('a'.repeat(10));
    const clipped = clip('a'.repeat(25), 10);
    expect(clipped).toBe(`${'a'.repeat(9)}…`);
  });

  it('never leaves half an emoji before the ellipsis', () => {
    expect(clip(`abcd${'😀'.repeat(5)}`, 8)).toBe('abcd😀…');
    expect(clip('👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 15)).toBe('👨‍👩‍👧‍👦…');
  });
});
