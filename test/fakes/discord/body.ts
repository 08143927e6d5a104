import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { readAll } from '../body.ts';
import type { RecordedFile } from './types.ts';

// Request bodies as Discord reads them: JSON, or multipart with `payload_json` plus `files[n]` parts
// (what @discordjs/rest sends when a message carries files). File bytes are kept for byte-for-byte checks.

export interface ParsedBody {
  json: unknown;
  files: RecordedFile[];
}

function parseMultipart(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    let json: unknown = {};
    const files: RecordedFile[] = [];
    const bb = busboy({ headers: req.headers, limits: { fileSize: 1024 * 1024 * 1024 } });
    bb.on('field', (name, value) => {
      if (name === 'payload_json') json = JSON.parse(value);
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        files.push({
          field,
          name: info.filename ?? field,
          contentType: info.mimeType,
          bytes: Buffer.concat(chunks),
        }),
      );
    });
    bb.on('close', () => resolve({ json, files }));
    bb.on('error', reject);
    req.pipe(bb);
  });
}

export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return parseMultipart(req);
  const raw = await readAll(req);
  if (raw.length === 0) return { json: undefined, files: [] };
  return { json: JSON.parse(raw.toString('utf8')), files: [] };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
