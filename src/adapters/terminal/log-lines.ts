import { Writable } from 'node:stream';

// Logs on a person's terminal. When stderr is the same screen as the chat, a pino JSON line would land in the
// middle of the conversation and break the prompt; a log file would hide the one line that explains a
// failure. So there, warnings and errors become one short human line printed like bot output (above the
// prompt), and the rest is dropped — `2> bot.log` keeps every JSON line, because a redirected stderr is no
// TTY and main keeps JSON there.

/** pino's numeric levels. */
const WARN = 40;
const ERROR = 50;
const MAX_LINE = 200;

export interface HumanLog {
  /** The logger's destination (already redacted by the logger). */
  stream: NodeJS.WritableStream;
  /** Where lines go from now on (the terminal's screen); undefined goes back to writing on stderr. */
  attach(print: ((line: string) => void) | undefined): void;
}

/** `⚠ stream broke after delivery; checking the state (stream_broken)`, or undefined for lines below warn. */
export function humanLine(json: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trim() || undefined;
  }
  const level = typeof entry.level === 'number' ? entry.level : 0;
  if (level < WARN) return undefined;
  const err = entry.err as Record<string, unknown> | undefined;
  const code = entry.code ?? err?.code;
  const detail = typeof code === 'string' || typeof code === 'number' ? ` (${code})` : '';
  const line = `${level >= ERROR ? '✖' : '⚠'} ${String(entry.msg ?? 'log')}${detail}`;
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

export function humanLog(stderr: NodeJS.WritableStream): HumanLog {
  let print: ((line: string) => void) | undefined;
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const json of lines) {
        const line = humanLine(json);
        if (!line) continue;
        if (print) print(line);
        else stderr.write(`${line}\n`);
      }
      done();
    },
  });
  return {
    stream,
    attach(next) {
      print = next;
    },
  };
}
