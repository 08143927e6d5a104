// What every adapter does to text before a platform shows it. The agent's words — and the user's own words
// the core echoes ("I restarted while working on …", a timeline's clip names) — are untrusted: on a
// terminal an escape sequence clears the screen, retitles the window or recolours what follows; anywhere,
// bidi overrides can make text read differently from what it is (`exe.gnp` shown as `png.exe`), and a NUL or
// a lone surrogate makes Telegram refuse the whole message.

// Whole sequences first, so what they carry (a window title, `[2J`) does not stay behind as litter:
// OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (… ST), CSI (ESC [ params final) and two-byte escapes,
// in their 7-bit and 8-bit (C1) forms. An unterminated one loses its ESC below and stays inert text.
const SEQUENCES =
  /(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[ -/]*[0-~]/g;

// C0 controls but tab and newline (a lone CR would let a line overwrite the one before it), DEL, C1
// controls, and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

// A surrogate without its other half is not text (no UTF-8 encoding exists for it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with escape sequences, control characters (but `\n`, `\t`) and bidi controls removed. */
export function cleanText(text: string): string {
  return text
    .replace(SEQUENCES, '')
    .replace(/\r\n/g, '\n')
    .replace(CONTROLS, '')
    .replace(LONE_SURROGATE, '\ufffd');
}
