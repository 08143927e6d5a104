import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { readAll } from '../body.ts';

// Parses a Bot API request body the three ways the real server accepts: JSON, urlencoded and multipart.
// Node's built-in FormData parser rejects grammY's multipart (unquoted filenames, lower-case headers),
// so multipart goes through busboy.

export interface ParsedBody {
  params: Record<string, unknown>;
  files: Record<string, { filename: string; bytes: Buffer }>;
}

// Multipart and urlencoded carry every value as a string; the Bot API reads these as JSON or numbers.
const JSON_FIELDS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'commands',
  'scope',
  'allowed_updates',
  'reply_parameters',
  'reaction',
]);
const NUMBER_FIELDS = new Set([
  'chat_id',
  'message_id',
  'message_thread_id',
  'user_id',
  'duration',
  'width',
  'height',
  'draft_id',
  'offset',
  'limit',
  'timeout',
]);
const BOOL_FIELDS = new Set(['supports_streaming', 'drop_pending_updates', 'disable_notification']);

function coerce(key: string, value: string): unknown {
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (NUMBER_FIELDS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (BOOL_FIELDS.has(key)) return value === 'true';
  return value;
}

function parseMultipart(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const params: Record<string, unknown> = {};
    const files: ParsedBody['files'] = {};
    const bb = busboy({ headers: req.headers });
    bb.on('field', (name, value) => {
      params[name] = coerce(name, value);
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        files[name] = { filename: info.filename ?? name, bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('close', () => resolve({ params, files }));
    bb.on('error', reject);
    req.pipe(bb);
  });
}

export async function parseBody(req: IncomingMessage, query: URLSearchParams): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, unknown> = {};
  for (const [k, v] of query) params[k] = coerce(k, v);
  if (type.startsWith('multipart/form-data')) {
    const parsed = await parseMultipart(req);
    return { params: { ...params, ...parsed.params }, files: parsed.files };
  }
  const raw = (await readAll(req)).toString('utf8');
  if (type.startsWith('application/json') && raw.trim() !== '') {
    return { params: { ...params, ...(JSON.parse(raw) as Record<string, unknown>) }, files: {} };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(raw)) params[k] = coerce(k, v);
  }
  return { params, files: {} };
}

/** Files by parameter name: `attach://<id>` resolved, plain file fields (curl -F video=@x.mp4) kept. */
export function resolveAttachments(body: ParsedBody): ParsedBody['files'] {
  const out: ParsedBody['files'] = {};
  const referenced = new Set<string>();
  for (const [key, value] of Object.entries(body.params)) {
    if (typeof value !== 'string' || !value.startsWith('attach://')) continue;
    const id = value.slice('attach://'.length);
    const file = body.files[id];
    if (file) out[key] = file;
    referenced.add(id);
  }
  for (const [name, file] of Object.entries(body.files)) if (!referenced.has(name)) out[name] = file;
  return out;
}
