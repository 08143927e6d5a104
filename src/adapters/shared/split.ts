// Text cut to a platform's message limit (Telegram 4096 and 1024 for captions, Discord 2000). Lengths are
// UTF-16 code units, which is what both platforms count. A cut never falls inside a grapheme — a surrogate
// pair, an emoji ZWJ sequence or flag, a letter and its combining marks — and prefers, in this order: a
// paragraph break, a line break, a space, the end of a CJK sentence or clause, a word boundary (ICU's
// dictionary finds words in Chinese and Japanese, which have no spaces). A preferred break must leave the
// part at least half full; otherwise the next kind is tried.

// A fixed locale, so cut points do not depend on the machine's LANG (ICU's CJK dictionary applies in all).
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const words = new Intl.Segmenter('en', { granularity: 'word' });

interface Separator {
  pattern: RegExp;
  /** The separator is dropped (whitespace) rather than kept at the end of the part (punctuation). */
  dropped: boolean;
}

const SEPARATORS: Separator[] = [
  { pattern: /\n(?:[ \t]*\n)+/g, dropped: true },
  { pattern: /\n/g, dropped: true },
  { pattern: /[ \t\u3000]+/g, dropped: true },
  { pattern: /[。！？；][」』）》”’"']*/g, dropped: false },
  { pattern: /[，、：][」』）》”’"']*/g, dropped: false },
];

// Blank lines left at the start of a part (a break longer than the window that found it).
const BLANK_LINES = /(?:[ \t]*\n)+/y;

interface Cut {
  /** Where the part ends … */
  end: number;
  /** … and where the next one starts (after a dropped separator). */
  next: number;
}

/** The last boundary of `segments` at or before `pos` (`pos` itself when it is one). */
function boundaryAtOrBefore(segments: Intl.Segments, pos: number): number {
  return segments.containing(pos)?.index ?? pos;
}

function findCut(text: string, start: number, max: number): Cut {
  const limit = start + max;
  const floor = start + Math.ceil(max / 2);
  // One character more than fits: a space right at the limit is a fine place to cut.
  const window = text.slice(start, limit + 1);
  for (const { pattern, dropped } of SEPARATORS) {
    let best: Cut | undefined;
    for (const m of window.matchAll(pattern)) {
      const at = start + m.index;
      const end = dropped ? at : at + m[0].length;
      if (end > limit) break;
      if (end >= floor) best = { end, next: at + m[0].length };
    }
    if (best) return best;
  }
  // Only the window is segmented (a 1 MB line must not be re-read for every part): whether `limit` is a
  // boundary depends on the characters up to the one after it, so two more code units are enough.
  const near = text.slice(start, limit + 2);
  const grapheme = graphemes.segment(near);
  const atWord = boundaryAtOrBefore(words.segment(near), max);
  if (atWord >= floor - start && boundaryAtOrBefore(grapheme, atWord) === atWord)
    return { end: start + atWord, next: start + atWord };
  const atGrapheme = boundaryAtOrBefore(grapheme, max);
  if (atGrapheme > 0) return { end: start + atGrapheme, next: start + atGrapheme };
  // One grapheme longer than the whole limit (a pile of combining marks): cut between code points.
  const high = text.charCodeAt(limit - 1);
  const cut = high >= 0xd800 && high <= 0xdbff && limit - 1 > start ? limit - 1 : limit;
  return { end: cut, next: cut };
}

/**
 * Splits `text` into parts of at most `max` code units (the first of at most `firstMax`, e.g. a caption).
 * Whitespace at a cut is dropped; blank parts are never returned, so a blank text gives none.
 */
export function splitText(text: string, max: number, firstMax = max): string[] {
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    const limit = parts.length === 0 ? firstMax : max;
    if (text.length - start <= limit) break;
    const { end, next } = findCut(text, start, limit);
    const part = text.slice(start, end).trimEnd();
    if (part.trim() !== '') parts.push(part);
    BLANK_LINES.lastIndex = next;
    start = next + (BLANK_LINES.exec(text)?.[0].length ?? 0);
  }
  const last = text.slice(start);
  if (last.trim() !== '') parts.push(last);
  return parts;
}

/** The text cut to `max` code units with an ellipsis, for what cannot be split (an edit, a title). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = boundaryAtOrBefore(graphemes.segment(text.slice(0, max + 1)), max - 1);
  return `${text.slice(0, cut).trimEnd()}…`;
}
