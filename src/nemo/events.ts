import { createParser, type EventSourceParser } from 'eventsource-parser';
import { EVENT_TOO_LARGE, type NemoEvent } from './types.ts';

// The pure half of the chat stream: bytes or strings in, NemoEvents out. No HTTP here, so tests can feed
// any split of any stream. Accepts ADK events and the older simplified events (docs/nemo-contract.md).

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function errorText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isObj(v)) return str(v.message) ?? str(v.error) ?? JSON.stringify(v);
  return String(v);
}

/** Maps one `data:` payload to the events it carries (possibly none). */
export function mapSseData(data: string): NemoEvent[] {
  const trimmed = data.trim();
  if (trimmed === '') return [{ type: 'heartbeat' }];
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch {
    // Not JSON: a gateway keep-alive such as `data: ping`; nothing for the user either way.
    return [{ type: 'heartbeat' }];
  }
  if (!isObj(obj)) return [];
  return mapEventObject(obj);
}

function mapEventObject(obj: Json): NemoEvent[] {
  const type = str(obj.type);
  if (type !== undefined) {
    const simplified = mapSimplified(type, obj);
    if (simplified) return simplified;
  }
  const out: NemoEvent[] = [];
  const content = obj.content;
  const parts = isObj(content) && Array.isArray(content.parts) ? content.parts : [];
  const author = str(obj.author);
  for (const part of parts) {
    if (!isObj(part)) continue;
    const text = str(part.text);
    if (text !== undefined) {
      // Thoughts are not for the user (docs/decisions.md, 3). Partial chunks are followed by the complete text: they
      // serve a live preview only.
      if (part.thought === true || text === '') continue;
      if (obj.partial === true) out.push({ type: 'partial', text });
      else if (text.trim() !== '') out.push(author ? { type: 'text', text, author } : { type: 'text', text });
    }
    if (isObj(part.functionCall)) out.push(toolEvent('tool_call', part.functionCall));
    if (isObj(part.functionResponse)) out.push(toolEvent('tool_result', part.functionResponse));
  }
  if (obj.error !== undefined && obj.error !== null)
    out.push({ type: 'error', message: errorText(obj.error) });
  const errorCode = obj.errorCode;
  const errorMessage = str(obj.errorMessage);
  if ((errorCode !== undefined && errorCode !== null) || errorMessage) {
    const ev: NemoEvent = { type: 'error', message: errorMessage ?? String(errorCode) };
    if (errorCode !== undefined && errorCode !== null) ev.code = String(errorCode);
    out.push(ev);
  }
  return out;
}

function toolEvent(kind: 'tool_call' | 'tool_result', fn: Json): NemoEvent {
  const name = str(fn.name) ?? 'unknown';
  const id = str(fn.id);
  if (kind === 'tool_call') {
    const ev: NemoEvent = { type: 'tool_call', name };
    if (id !== undefined) ev.id = id;
    if (fn.args !== undefined) ev.args = fn.args;
    return ev;
  }
  const ev: NemoEvent = { type: 'tool_result', name };
  if (id !== undefined) ev.id = id;
  if (fn.response !== undefined) ev.response = fn.response;
  return ev;
}

function mapSimplified(type: string, obj: Json): NemoEvent[] | undefined {
  switch (type) {
    case 'heartbeat':
    case 'ping':
      return [{ type: 'heartbeat' }];
    case 'text': {
      const text = str(obj.content) ?? str(obj.text) ?? '';
      if (obj.thought === true || text === '') return [];
      if (obj.partial === true) return [{ type: 'partial', text }];
      return text.trim() === '' ? [] : [{ type: 'text', text }];
    }
    case 'tool_call':
      return [toolEvent('tool_call', { ...obj, args: obj.args ?? obj.arguments })];
    case 'tool_result':
      return [toolEvent('tool_result', { ...obj, response: obj.response ?? obj.result ?? obj.content })];
    case 'error':
      return [{ type: 'error', message: errorText(obj.message ?? obj.error ?? obj.content ?? 'error') }];
    default:
      // An unknown `type` on an ADK-looking event: fall through to the ADK mapping.
      return undefined;
  }
}

export interface EventDecoder {
  /** Feeds raw bytes (decoded as UTF-8 across chunk boundaries) or an already decoded string. */
  feed(chunk: Uint8Array | string): void;
  /** Flushes a last event the stream did not terminate with a blank line. */
  end(): void;
}

/** Longer events are skipped rather than buffered without bound. */
export const MAX_EVENT_CHARS = 32 * 1024 * 1024;

/**
 * An SSE decoder: comments count as heartbeats; every mapped event goes to `onEvent`. An event longer than
 * `maxEventChars` is reported once as an error event with code EVENT_TOO_LARGE and skipped up to the blank
 * line that ends it; the events after it decode as usual.
 */
export function createEventDecoder(
  onEvent: (e: NemoEvent) => void,
  options: { maxEventChars?: number } = {},
): EventDecoder {
  const max = options.maxEventChars ?? MAX_EVENT_CHARS;
  // TextDecoder drops a leading BOM and keeps multi-byte characters split across chunks intact.
  const decoder = new TextDecoder('utf-8');
  let first = true;
  let overflow = false;
  // While skipping an oversized event: whether the last character ended a line (so a LF now is the blank line).
  let skipping = false;
  let atLineStart = false;
  let heldCr = false;
  const parser: EventSourceParser = createParser({
    onEvent: (msg) => {
      for (const e of mapSseData(msg.data)) onEvent(e);
    },
    onComment: () => onEvent({ type: 'heartbeat' }),
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') overflow = true;
    },
    maxBufferSize: max,
  });

  /** The text after the blank line that ends the skipped event, or undefined when it is not in `t` yet. */
  const skip = (t: string): string | undefined => {
    let from = 0;
    for (;;) {
      const lf = t.indexOf('\n', from);
      if (lf < 0) {
        if (from < t.length) atLineStart = false;
        return undefined;
      }
      if (atLineStart && lf === from) return t.slice(lf + 1);
      atLineStart = true;
      from = lf + 1;
    }
  };

  /**
   * Line endings become LF before the parser sees them: a chunk ending in CR would otherwise leave the parser
   * unsure whether LF follows, and it buffers the next line before dispatching the event that CR ended.
   */
  const normalise = (text: string): string => {
    let t = heldCr ? `\n${text.startsWith('\n') ? text.slice(1) : text}` : text;
    heldCr = t.endsWith('\r');
    if (heldCr) t = t.slice(0, -1);
    return t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t;
  };

  const feedText = (text: string) => {
    let t = text;
    if (first && t.length > 0) {
      if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
      first = false;
    }
    t = normalise(t);
    while (t.length > 0) {
      if (skipping) {
        const rest = skip(t);
        if (rest === undefined) return;
        skipping = false;
        parser.reset();
        t = rest;
        continue;
      }
      parser.feed(t);
      if (!overflow) return;
      // The parser dropped the event and stopped (it had read every line of `t`): skip the rest of the event
      // and start again after it.
      overflow = false;
      skipping = true;
      atLineStart = t.endsWith('\n');
      onEvent({
        type: 'error',
        code: EVENT_TOO_LARGE,
        message: `an event over ${max} characters was skipped`,
      });
      return;
    }
  };
  return {
    feed(chunk) {
      feedText(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      // A stream that closes without the final blank line still delivers its last complete event.
      feedText(`${decoder.decode()}\n\n`);
    },
  };
}

/** Decodes a whole stream given as chunks: handy for tests and for replaying recorded streams. */
export function decodeAll(chunks: Iterable<Uint8Array | string>): NemoEvent[] {
  const out: NemoEvent[] = [];
  const d = createEventDecoder((e) => out.push(e));
  for (const c of chunks) d.feed(c);
  d.end();
  return out;
}
