// What a person sees on a terminal after a stream of output: a small model of the cursor and the few control
// sequences readline and the bot's screen use (carriage return, newline, cursor column/up, erase line and
// erase below). Text written over text replaces it, as on a real terminal.

const SEQ = /\x1b\[([0-9;?]*)([A-Za-z])/y;

export function visibleScreen(raw: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = () => {
    while (lines.length <= row) lines.push([]);
    return lines[row] as string[];
  };
  for (let i = 0; i < raw.length; ) {
    SEQ.lastIndex = i;
    const m = SEQ.exec(raw);
    if (m) {
      const n = Number(m[1] || '1');
      const cmd = m[2];
      if (cmd === 'G') col = Math.max(0, n - 1);
      else if (cmd === 'A') row = Math.max(0, row - n);
      else if (cmd === 'B') row += n;
      else if (cmd === 'C') col += n;
      else if (cmd === 'D') col = Math.max(0, col - n);
      else if (cmd === 'K') {
        const mode = Number(m[1] || '0');
        if (mode === 2) line().length = 0;
        else if (mode === 0) line().length = Math.min(line().length, col);
      } else if (cmd === 'J') {
        line().length = Math.min(line().length, col);
        lines.length = row + 1;
      }
      i = SEQ.lastIndex;
      continue;
    }
    const ch = String.fromCodePoint(raw.codePointAt(i) ?? 0);
    i += ch.length;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      line();
    } else {
      const l = line();
      while (l.length < col) l.push(' ');
      l[col] = ch;
      col++;
    }
  }
  return lines.map((l) => l.join('').trimEnd());
}
