import { randomBytes } from 'node:crypto';
import { type AccountCtx, authHeaders, call, parseAnswer, withRetries } from './call.ts';
import { NemoError } from './errors.ts';
import { extensionOf, FORMAT_BY_MIME, formatOf, MIME_BY_FORMAT } from './formats.ts';
import { Deadline, send, transportError } from './http.ts';
import { type UploadedFileWire, uploadData } from './schemas.ts';
import { SUPPORTED_FORMATS, type UploadedFile, type UploadFile } from './types.ts';

// Uploads stream the file through a hand-built multipart body (an async generator of chunks), so a 200 MB
// video never sits in memory. Format and size are checked before any byte moves.

const supported = new Set<string>(SUPPORTED_FORMATS);

function refuse(code: 'unsupported_file' | 'file_too_large', message: string): NemoError {
  return new NemoError({ code, kind: 'refused', method: 'POST', path: '/api/upload-video' }, message);
}

/** Validates a file before upload; returns the name and part type to send. */
export function checkUpload(
  file: Pick<UploadFile, 'name' | 'mimeType' | 'size'>,
  maxBytes: number,
): { name: string; contentType: string } {
  const ext = extensionOf(file.name);
  const mime = file.mimeType?.split(';')[0]?.trim().toLowerCase();
  const mimeExt = mime ? FORMAT_BY_MIME[mime] : undefined;
  let name = file.name;
  if (!ext || !supported.has(ext)) {
    if (!mimeExt) throw refuse('unsupported_file', `unsupported file type: ${ext ?? mime ?? 'unknown'}`);
    // The backend goes by the extension; the MIME type vouches for this one.
    name = `${file.name}.${mimeExt}`;
  }
  if (file.size !== undefined && file.size > maxBytes) {
    throw refuse('file_too_large', `file too large: ${file.size} bytes (limit ${maxBytes})`);
  }
  const format = formatOf(file);
  return {
    name,
    contentType: mime && mimeExt ? mime : format ? MIME_BY_FORMAT[format] : 'application/octet-stream',
  };
}

function disposition(name: string): string {
  const clean = name.replace(/[\r\n]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean))
    return `form-data; name="files"; filename="${clean.replace(/["\\]/g, '_')}"`;
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `form-data; name="files"; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}

type Source = UploadFile['stream'];

/** Chunks of a web or Node stream; `close` releases the source whatever happened. */
function chunksOf(source: Source): { chunks: AsyncIterable<Uint8Array>; close: () => void } {
  if ('getReader' in source) {
    const reader = source.getReader();
    return {
      chunks: {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        },
      },
      close: () => void reader.cancel().catch(() => {}),
    };
  }
  const node = source as NodeJS.ReadableStream & { destroy?: () => void };
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for await (const c of node as AsyncIterable<Uint8Array | string>) {
          yield typeof c === 'string' ? Buffer.from(c) : c;
        }
      },
    },
    close: () => node.destroy?.(),
  };
}

async function* multipart(
  head: Buffer,
  chunks: AsyncIterable<Uint8Array>,
  tail: Buffer,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  yield head;
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > maxBytes) throw refuse('file_too_large', `file too large: over ${maxBytes} bytes`);
    yield c;
  }
  yield tail;
}

export function toUploaded(files: UploadedFileWire[]): UploadedFile[] {
  return files.map((f) => {
    const out: UploadedFile = { name: f.filename ?? f.name ?? '' };
    const url = f.cdn_url ?? f.url;
    if (url) out.url = url;
    if (f.file_type) out.fileType = f.file_type;
    if (typeof f.duration === 'number') out.duration = f.duration;
    if (typeof f.width === 'number') out.width = f.width;
    if (typeof f.height === 'number') out.height = f.height;
    return out;
  });
}

const uploadPath = (sessionId: string) => `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`;

export async function upload(
  ctx: AccountCtx,
  sessionId: string,
  file: UploadFile,
  signal?: AbortSignal,
): Promise<UploadedFile[]> {
  const max = ctx.timing.maxUploadBytes;
  const { name, contentType } = checkUpload(file, max);
  const path = uploadPath(sessionId);
  const src = chunksOf(file.stream);
  try {
    // The body cannot be replayed: no retry; a 1001 still refreshes the token for the next call.
    return await withRetries(ctx, { idempotent: false, retryRefusals: false }, signal, async (token) => {
      const boundary = `----nemo${randomBytes(12).toString('hex')}`;
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition(name)}\r\nContent-Type: ${contentType}\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const headers: Record<string, string> = {
        ...authHeaders(ctx, token),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      };
      if (file.size !== undefined) headers['content-length'] = String(head.length + file.size + tail.length);
      const t = ctx.timing.transferTimeoutMs;
      const deadline = new Deadline(signal, t);
      try {
        const res = await send(ctx.deps, {
          method: 'POST',
          path,
          headers,
          body: multipart(head, src.chunks, tail, max),
          deadline,
          headersTimeoutMs: t,
          bodyTimeoutMs: ctx.timing.httpTimeoutMs,
        });
        const data = await parseAnswer(ctx, res, {
          method: 'POST',
          path,
          schema: uploadData,
          envelope: 'business',
        });
        return toUploaded(data.files ?? data.uploaded_files ?? []);
      } catch (e) {
        const err = unwrapCause(e);
        if (err) throw err;
        if (e instanceof NemoError && e.code === 'token_invalid' && ctx.auth.canRefresh) {
          await ctx.auth.refresh(token, signal).catch(() => {});
        }
        throw transportError(e, { method: 'POST', path, deadline, secrets: ctx.deps.secrets });
      } finally {
        deadline.clear();
      }
    });
  } finally {
    src.close();
  }
}

/** Our own size refusal thrown inside the body generator comes back wrapped by undici. */
function unwrapCause(e: unknown): NemoError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    if (cur instanceof NemoError && cur.code === 'file_too_large' && cur.kind === 'refused' && !cur.status)
      return cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}

export async function uploadUrls(
  ctx: AccountCtx,
  sessionId: string,
  urls: string[],
  signal?: AbortSignal,
): Promise<UploadedFile[]> {
  const data = await call(
    ctx,
    {
      method: 'POST',
      path: uploadPath(sessionId),
      json: { urls, source_type: 'url' },
      schema: uploadData,
      envelope: 'business',
    },
    signal,
  );
  return toUploaded(data.files ?? data.uploaded_files ?? []);
}
