import { Writable } from 'node:stream';
import pino from 'pino';

/**
 * Every secret the process learns (bot tokens, NemoVideo tokens, client ids, Telegram file URLs) is added
 * here the moment it is known; the log stream and user-facing error text pass through `redact`.
 * Redacting by value catches a secret wherever it hides: a URL, a response body, an error's cause.
 */
export class Secrets {
  readonly #values = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would redact ordinary words; real tokens and ids are long.
    if (value && value.length >= 8) this.#values.add(value);
  }

  has(value: string): boolean {
    return this.#values.has(value);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.#values) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
    return out;
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
