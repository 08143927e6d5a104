import { Writable } from 'node:stream';
import pino from 'pino';

/** Where a secret is registered the moment it is known (the registry, or one scope of it). */
export interface SecretSink {
  add(value: string | undefined | null): void;
}

/** Secrets that belong to something with a life (a chat's account): `clear` forgets them when it ends. */
export interface SecretScope extends SecretSink {
  clear(): void;
}

const REDACTED = '[REDACTED]';
/** Telegram file URLs carry the bot token: redacted by shape, never registered one by one. */
const TELEGRAM_FILE = /\/file\/bot[^/\s"'<>\\]+\/[^\s"'<>\\]*/;
/** Very short values would redact ordinary words; real tokens and ids are long. */
const MIN_LENGTH = 8;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const worthKeeping = (v: string | undefined | null): v is string =>
  typeof v === 'string' && v.length >= MIN_LENGTH && !TELEGRAM_FILE.test(v);

/** Rolling (Rabin–Karp) hash of a window: per-chat values are found in time linear in the text. */
const BASE = 257;
function hashOf(s: string, from: number, len: number): number {
  let h = 0;
  for (let k = 0; k < len; k++) h = (Math.imul(h, BASE) + s.charCodeAt(from + k)) >>> 0;
  return h;
}

/** The per-chat values of one length: value → holders, and their hashes → how many values have it. */
interface SameLength {
  values: Map<string, number>;
  hashes: Map<number, number>;
  /** How many hashes fall in each of 2^16 buckets: most windows are ruled out without a map lookup. */
  buckets: Uint16Array;
  /** BASE^(length-1), to roll the hash along. */
  top: number;
}

/**
 * Every secret the process learns is registered here; the log stream and user-facing error text pass through
 * `redact`. Two kinds, so redaction costs the same with ten chats or ten thousand:
 * - the process's own (bot tokens, NEMO_TOKEN, the webhook secret): few, kept for its life, matched by one
 *   combined pattern built lazily (with the Telegram file URL shape);
 * - per-chat values (anonymous tokens, client ids): held by scopes and forgotten when the last scope holding
 *   them clears. They are found by lookup, not by a pattern that grows with every chat: a rolling hash per
 *   distinct length (a UUID, a token) over the text, a map lookup on a hash hit.
 */
export class Secrets implements SecretSink {
  readonly #own = new Set<string>();
  #ownMatcher: RegExp | undefined;
  readonly #held = new Map<number, SameLength>();

  /** Registers a secret for the life of the process. */
  add(value: string | undefined | null): void {
    if (!worthKeeping(value) || this.#own.has(value)) return;
    this.#own.add(value);
    this.#ownMatcher = undefined;
  }

  /** A scope for the secrets of one holder (a chat's account); `clear` releases them. */
  scope(): SecretScope {
    const mine = new Set<string>();
    return {
      add: (value) => {
        if (!worthKeeping(value) || mine.has(value)) return;
        mine.add(value);
        this.#hold(value);
      },
      clear: () => {
        for (const v of mine) this.#release(v);
        mine.clear();
      },
    };
  }

  has(value: string): boolean {
    return this.#own.has(value) || this.#held.get(value.length)?.values.has(value) === true;
  }

  /** How many distinct secrets are registered. */
  get size(): number {
    let n = this.#own.size;
    for (const g of this.#held.values()) n += g.values.size;
    return n;
  }

  redact(text: string): string {
    if (!this.#ownMatcher) {
      const own = [...this.#own].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#ownMatcher = new RegExp([...own, TELEGRAM_FILE.source].join('|'), 'g');
    }
    const out = text.replace(this.#ownMatcher, (hit) =>
      hit.startsWith('/file/bot') ? `/file/bot${REDACTED}` : REDACTED,
    );
    return this.#held.size === 0 ? out : this.#redactHeld(out);
  }

  #hold(value: string): void {
    const len = value.length;
    let g = this.#held.get(len);
    if (!g) {
      let top = 1;
      for (let k = 1; k < len; k++) top = Math.imul(top, BASE) >>> 0;
      g = { values: new Map(), hashes: new Map(), buckets: new Uint16Array(1 << 16), top };
      this.#held.set(len, g);
    }
    const n = g.values.get(value) ?? 0;
    g.values.set(value, n + 1);
    if (n === 0) {
      const h = hashOf(value, 0, len);
      g.hashes.set(h, (g.hashes.get(h) ?? 0) + 1);
      g.buckets[h & 0xffff] = (g.buckets[h & 0xffff] ?? 0) + 1;
    }
  }

  #release(value: string): void {
    const g = this.#held.get(value.length);
    const n = g?.values.get(value);
    if (!g || n === undefined) return;
    if (n > 1) {
      g.values.set(value, n - 1);
      return;
    }
    g.values.delete(value);
    const h = hashOf(value, 0, value.length);
    const c = g.hashes.get(h) ?? 0;
    if (c > 1) g.hashes.set(h, c - 1);
    else g.hashes.delete(h);
    g.buckets[h & 0xffff] = (g.buckets[h & 0xffff] ?? 1) - 1;
    if (g.values.size === 0) this.#held.delete(value.length);
  }

  /** Marks every occurrence of a held value (longest first where they overlap) and replaces the marked spans. */
  #redactHeld(text: string): string {
    // ends[i] > i: a held value covers text[i, ends[i]).
    let ends: Int32Array | undefined;
    for (const [len, g] of this.#held) {
      if (len > text.length) continue;
      let h = hashOf(text, 0, len);
      for (let i = 0; ; i++) {
        if (g.buckets[h & 0xffff] !== 0 && g.hashes.has(h) && g.values.has(text.slice(i, i + len))) {
          ends ??= new Int32Array(text.length);
          ends[i] = Math.max(ends[i] ?? 0, i + len);
        }
        if (i + len >= text.length) break;
        const out = Math.imul(text.charCodeAt(i), g.top) >>> 0;
        h = (Math.imul((h - out) >>> 0, BASE) + text.charCodeAt(i + len)) >>> 0;
      }
    }
    if (!ends) return text;
    let out = '';
    let copied = 0;
    let coveredTo = 0;
    for (let i = 0; i < text.length; i++) {
      const end = ends[i] ?? 0;
      if (end <= i) continue;
      if (i >= coveredTo) {
        out += text.slice(copied, i) + REDACTED;
      }
      coveredTo = Math.max(coveredTo, end);
      copied = coveredTo;
    }
    return out + text.slice(copied);
  }
}

/** The logger port the core uses; pino's Logger satisfies it. */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: string;
  secrets: Secrets;
  /** Where lines go; stderr by default because stdout belongs to the terminal chat. */
  destination?: NodeJS.WritableStream;
}

/** A pino logger whose every line is redacted before it leaves the process. */
export function createLogger({ level, secrets, destination = process.stderr }: LoggerOptions): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      destination.write(secrets.redact(chunk.toString('utf8')));
      done();
    },
  });
  return pino({ level, base: null }, stream);
}
