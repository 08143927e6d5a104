import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Attachment, InboundMessage } from '../../core/ports.ts';
import { mimeOf } from '../../nemo/formats.ts';

// One stdin line → one inbound message. `/upload <path|URL> [instruction]` becomes an attachment (a path that
// is no file: a `missing` one, which the core refuses in the chat's language); everything else (keywords,
// slash commands, prompts) is left to the core's routing.

export const TERMINAL_ADDRESS = 'term:local';

/** The MIME type for a file name by its extension; undefined for formats NemoVideo does not take. */
export const mimeFromName = mimeOf;

export type ParsedLine = { kind: 'empty' } | { kind: 'message'; message: InboundMessage };

const UPLOAD = /^\/upload(?:\s+|$)/i;

/** Splits `"a file.mp4" rest` or `file.mp4 rest` into the first argument and the rest. */
function firstArg(s: string): [string, string] {
  const quoted = /^(["'])(.*?)\1(?:\s+|$)/.exec(s);
  if (quoted) return [quoted[2] ?? '', s.slice(quoted[0].length).trim()];
  const i = s.search(/\s/);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i).trim()];
}

/** Anything that looks like a link (`scheme://…`): the core decides whether NemoVideo may fetch it. */
const LINK = /^[a-z][a-z0-9+.-]*:\/\//i;

function urlAttachment(target: string): Attachment {
  const url = URL.canParse(target) ? new URL(target) : undefined;
  if (!url) return { name: target, url: target };
  const last = url.pathname.split('/').pop() || 'file';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape (`%zz`) is not worth a crash: keep the name as typed (the core refuses the link).
  }
  const mimeType = mimeFromName(name);
  return { name, url: url.href, ...(mimeType ? { mimeType } : {}) };
}

const resolvePath = (arg: string, cwd: string): string =>
  path.resolve(cwd, arg.startsWith('~/') ? path.join(homedir(), arg.slice(2)) : arg);

async function fileAttachment(arg: string, cwd: string): Promise<Attachment | undefined> {
  const file = resolvePath(arg, cwd);
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) return { name: arg, directory: true };
  if (!info?.isFile()) return undefined;
  const name = path.basename(file);
  const mimeType = mimeFromName(name);
  return {
    name,
    size: info.size,
    ...(mimeType ? { mimeType } : {}),
    // Streamed from disk when the core uploads it: a 200 MB file is never held in memory.
    open: async (signal) =>
      Readable.toWeb(createReadStream(file, { signal })) as unknown as ReadableStream<Uint8Array>,
  };
}

/**
 * `/upload my clip.mp4 make it short` without quotes: the first word is no file, but with the next words it
 * may be. The longest such path that exists (a few words at most) is what the user meant.
 */
async function spacedPath(rest: string, cwd: string): Promise<string | undefined> {
  const gaps = [...rest.matchAll(/\s+/g)].map((m) => m.index + m[0].length).slice(1, 8);
  let found: string | undefined;
  for (const end of [...gaps.map((g) => rest.slice(0, g).trimEnd()), rest.trimEnd()]) {
    if (await stat(resolvePath(end, cwd)).catch(() => undefined)) found = end;
  }
  return found;
}

let counter = 0;

export async function parseLine(line: string, cwd = process.cwd()): Promise<ParsedLine> {
  const text = line.trim();
  if (!text) return { kind: 'empty' };
  const base = {
    address: TERMINAL_ADDRESS,
    platform: 'terminal' as const,
    // No platform locale: the core picks the language from the script of the text. The user owns the chat.
    sender: { id: 'local', displayName: 'you', isAdmin: async () => true },
    messageId: String(++counter),
  };
  const upload = UPLOAD.exec(text);
  const rest = upload ? text.slice(upload[0].length).trim() : '';
  if (!upload || !rest) return { kind: 'message', message: { ...base, text, attachments: [] } };

  const [target, instruction] = firstArg(rest);
  let attachment = LINK.test(target) ? urlAttachment(target) : await fileAttachment(target, cwd);
  if (!attachment) {
    const spaced = instruction && !/^["']/.test(rest) ? await spacedPath(rest, cwd) : undefined;
    attachment = { name: target, missing: true, ...(spaced ? { spacedPath: spaced } : {}) };
  }
  return { kind: 'message', message: { ...base, text: instruction, attachments: [attachment] } };
}
