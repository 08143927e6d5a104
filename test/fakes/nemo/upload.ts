// POST /api/upload-video/nemo_agent/me/<sid>: multipart (field `files`, may repeat), parsed as a stream with busboy,
// or JSON `{urls, source_type:"url"}`. Accepted files land in `uploads`, the session's `video_infos`, and are
// served under /files/. Element shape of `video_infos` (not public; the fake's choice): the `data.files[]` item.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { SAMPLE_META } from './mp4.ts';
import {
  type FakeCtx,
  type FakeSession,
  isRecord,
  parseJson,
  readBody,
  sendCode,
  sendJson,
  sendOk,
} from './state.ts';

/** Raw request bodies are recorded up to this many bytes (uploads themselves keep every accepted byte). */
export const RAW_BODY_CAP = 1024 * 1024;

const TYPES: Record<string, { kind: 'video' | 'image' | 'audio'; mime: string }> = {
  mp4: { kind: 'video', mime: 'video/mp4' },
  mov: { kind: 'video', mime: 'video/quicktime' },
  avi: { kind: 'video', mime: 'video/x-msvideo' },
  webm: { kind: 'video', mime: 'video/webm' },
  mkv: { kind: 'video', mime: 'video/x-matroska' },
  jpg: { kind: 'image', mime: 'image/jpeg' },
  jpeg: { kind: 'image', mime: 'image/jpeg' },
  png: { kind: 'image', mime: 'image/png' },
  gif: { kind: 'image', mime: 'image/gif' },
  webp: { kind: 'image', mime: 'image/webp' },
  mp3: { kind: 'audio', mime: 'audio/mpeg' },
  wav: { kind: 'audio', mime: 'audio/wav' },
  m4a: { kind: 'audio', mime: 'audio/mp4' },
  aac: { kind: 'audio', mime: 'audio/aac' },
};

const extOf = (name: string): string => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

function describe(ctx: FakeCtx, s: FakeSession, filename: string, hash: string, bytes?: Buffer) {
  const ext = extOf(filename);
  const type = TYPES[ext] ?? { kind: 'video' as const, mime: 'application/octet-stream' };
  const served = `up_${hash.slice(0, 16)}.${ext}`;
  ctx.files.set(served, bytes ? { contentType: type.mime, bytes } : { contentType: type.mime });
  const visual = type.kind !== 'audio';
  const info = {
    filename,
    file_type: type.kind,
    cdn_url: `${ctx.url}/files/${served}`,
    duration: type.kind === 'image' ? 0 : SAMPLE_META.duration,
    width: visual ? (type.kind === 'image' ? 1080 : SAMPLE_META.width) : 0,
    height: visual ? (type.kind === 'image' ? 1920 : SAMPLE_META.height) : 0,
    fps: type.kind === 'video' ? SAMPLE_META.fps : 0,
    hash,
  };
  s.videoInfos.push(info);
  return info;
}

/** A file name from a URL's last path segment; undefined when the URL or its %-escapes are malformed. */
function nameOfUrl(u: string): string | undefined {
  try {
    return decodeURIComponent(new URL(u).pathname.split('/').pop() || 'file');
  } catch {
    return undefined;
  }
}

/**
 * `{urls}`: the fake does not download. A malformed URL (or `%zz` escape) answers 400 like a web framework's
 * validation; a host under `.invalid` (RFC 6761: it never resolves) stands for a link the backend could not
 * fetch (400 with the business envelope: the real wording is not public).
 */
export function handleUrlUpload(ctx: FakeCtx, res: ServerResponse, s: FakeSession, body: Buffer) {
  const json = parseJson(body);
  const urls =
    isRecord(json) && Array.isArray(json.urls) ? json.urls.filter((u) => typeof u === 'string') : [];
  if (urls.length === 0) return sendJson(res, 400, { detail: 'urls must be a non-empty list' });
  const names = urls.map(nameOfUrl);
  if (names.some((n) => n === undefined)) return sendJson(res, 400, { detail: 'malformed URL in urls' });
  const unfetchable = urls.find((u) => new URL(u).hostname.endsWith('.invalid'));
  if (unfetchable) {
    return sendJson(res, 400, {
      code: 400,
      message: `failed to download ${new URL(unfetchable).host}`,
      data: null,
    });
  }
  if (names.some((n) => !TYPES[extOf(n ?? '')])) return sendCode(ctx, res, 4001);
  const files = names.map((n, i) =>
    describe(
      ctx,
      s,
      n ?? 'file',
      createHash('md5')
        .update(urls[i] ?? '')
        .digest('hex'),
    ),
  );
  sendOk(res, { files });
}

/** Streams a multipart body; `record` receives the raw bytes (capped) for `requests`. */
export function handleMultipart(
  ctx: FakeCtx,
  req: IncomingMessage,
  res: ServerResponse,
  s: FakeSession,
  record: (raw: Buffer) => void,
): void {
  const limit = ctx.opts().maxUploadBytes;
  const raw: Buffer[] = [];
  let rawLen = 0;
  req.on('data', (c: Buffer) => {
    if (rawLen >= RAW_BODY_CAP) return;
    raw.push(c.subarray(0, RAW_BODY_CAP - rawLen));
    rawLen += c.length;
  });
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { fileSize: limit } });
  } catch {
    void readBody(req).then((b) => {
      record(b.subarray(0, RAW_BODY_CAP));
      sendJson(res, 400, { detail: 'Expected multipart/form-data or JSON' });
    });
    return;
  }
  const accepted: Array<{ filename: string; contentType: string; bytes: Buffer }> = [];
  let unsupported = false;
  let tooLarge = false;
  bb.on('file', (field, stream, info) => {
    const filename = info.filename ?? 'file';
    if (field !== 'files' || !TYPES[extOf(filename)]) {
      unsupported ||= field === 'files';
      stream.resume();
      return;
    }
    const parts: Buffer[] = [];
    let truncated = false;
    stream.on('data', (c: Buffer) => {
      if (!truncated) parts.push(c);
    });
    stream.on('limit', () => {
      truncated = true;
      tooLarge = true;
      parts.length = 0; // keep draining, stop holding bytes
    });
    stream.on('end', () => {
      if (!truncated) accepted.push({ filename, contentType: info.mimeType, bytes: Buffer.concat(parts) });
    });
  });
  bb.on('error', () => {
    record(Buffer.concat(raw));
    sendJson(res, 400, { detail: 'Malformed multipart body' });
  });
  bb.on('close', () => {
    record(Buffer.concat(raw));
    if (unsupported) return sendCode(ctx, res, 4001);
    if (tooLarge) return sendCode(ctx, res, 4002);
    if (accepted.length === 0) return sendJson(res, 400, { detail: 'No files in field "files"' });
    const files = accepted.map((f) => {
      ctx.uploads.push({ sessionId: s.id, filename: f.filename, contentType: f.contentType, bytes: f.bytes });
      return describe(ctx, s, f.filename, createHash('md5').update(f.bytes).digest('hex'), f.bytes);
    });
    sendOk(res, { files });
  });
  req.pipe(bb);
}
