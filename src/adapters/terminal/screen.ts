import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { cleanText } from '../shared/clean.ts';

// Where the terminal chat writes. A script (stdin not a TTY) gets an append-only log of plain lines; a person
// at a TTY gets progress rewritten in place and the prompt redrawn under whatever the bot prints. Every text
// is cleaned first: only the screen's own cursor moves reach the terminal as escape sequences, never one in
// the agent's words or in the user's words echoed back.

export interface Screen {
  print(text: string): void;
  /** Rewrites the block printed last, if the terminal allows it; false means "print it as a new line". */
  rewriteLast(text: string): boolean;
}

export function plainScreen(output: NodeJS.WritableStream): Screen {
  return {
    print: (text) => void output.write(`${cleanText(text)}\n`),
    rewriteLast: () => false,
  };
}

export interface TtyScreen extends Screen {
  /** Called by the line reader so the prompt can be redrawn after bot output. */
  setPrompt(redraw: () => void): void;
  /** The user pressed Enter: the block printed last is no longer the bottom line. */
  userLine(): void;
}

// East Asian wide characters and emoji take two columns.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}]/gu;
const width = (line: string) => [...line].length + (line.match(WIDE)?.length ?? 0);

export function ttyScreen(output: NodeJS.WritableStream & { columns?: number }): TtyScreen {
  let redraw: () => void = () => {};
  // Visual rows of the last block; 0 when something else (the user's typing) came after it.
  let lastRows = 0;
  const rows = (text: string) =>
    text
      .split('\n')
      .reduce((n, line) => n + Math.max(1, Math.ceil(width(line) / Math.max(20, output.columns || 80))), 0);
  const write = (raw: string) => {
    const text = cleanText(raw);
    // The prompt line is under the cursor: clear it, print, then let readline draw it again.
    clearLine(output, 0);
    cursorTo(output, 0);
    output.write(`${text}\n`);
    lastRows = rows(text);
    redraw();
  };
  return {
    print: write,
    rewriteLast(text) {
      if (lastRows === 0 || lastRows > 3) return false;
      clearLine(output, 0);
      for (let i = 0; i < lastRows; i++) {
        moveCursor(output, 0, -1);
        clearLine(output, 0);
      }
      cursorTo(output, 0);
      write(text);
      return true;
    },
    setPrompt(fn) {
      redraw = fn;
    },
    userLine() {
      lastRows = 0;
    },
  };
}
