// Internal state of one fake NemoVideo server and the small HTTP helpers every handler shares.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeNemoOptions, RecordedUpload } from './types.ts';

export interface FakeSession {
  id: string;
  taskId: string;
  userId: string;
  language: string;
  /** Texts received in this session, to spot re-sends. */
  seen: Set<string>;
  videoInfos: Array<Record<string, unknown>>;
  generatedMedia: Array<Record<string, unknown>>;
}

export interface FakeRender {
  id: string;
  sessionId: string;
  polls: number;
  createdAt: string;
  completedAt?: string;
  cancelled: boolean;
}

export interface FakeToken {
  userId: string;
  clientId?: string;
  issuedAt: number;
  revoked: boolean;
}

/** Files served without auth under /files/<name> (render outputs, generated clips, uploads). */
export interface ServedFile {
  contentType: string;
  /** Absent: the sample MP4 (padded per `mp4PadTo`). */
  bytes?: Buffer;
}

export interface FakeCtx {
  url: string;
  /** Live getter: tests may replace `fake.options` wholesale. */
  opts(): FakeNemoOptions;
  tokens: Map<string, FakeToken>;
  /** Latest token per client id. */
  clientTokens: Map<string, string>;
  /** Stable anon user id per client id (a re-issued token keeps its user). */
  clientUsers: Map<string, string>;
  tokensPerIp: Map<string, number>;
  sessions: Map<string, FakeSession>;
  drafts: Map<string, unknown>;
  renders: Map<string, FakeRender>;
  /** Render ids ever used (a reused id is a duplicate). */
  renderIds: Set<string>;
  files: Map<string, ServedFile>;
  chats: Array<{ sessionId: string; text: string }>;
  duplicateChats: Array<{ sessionId: string; text: string }>;
  /** Chat streams open now, and the most ever open at once, per session id. */
  streams: { open: Map<string, number>; most: Map<string, number> };
  uploads: RecordedUpload[];
  issuedTokens: string[];
  mp4(): Buffer;
}

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * HTTP status per body code when `errorsAs: 'status'` (the real mapping is not public):
 * 1001 → 401, 1002 → 404, 2001 → 403 (kept apart from the 402 export block), 4001 → 415, 4002 → 413, others → 400.
 */
export const STATUS_FOR_CODE: Record<number, number> = {
  1001: 401,
  1002: 404,
  2001: 403,
  4001: 415,
  4002: 413,
};

export const MESSAGE_FOR_CODE: Record<number, string> = {
  1001: 'Invalid or expired token',
  1002: 'Session not found',
  2001: 'Insufficient credits',
  4001: 'Unsupported file type',
  4002: 'File too large',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendOk(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, { code: 0, message: 'success', data });
}

/** A business error `{code, message, data:null}`, as HTTP 200 or a matching status per `errorsAs`. */
export function sendCode(ctx: FakeCtx, res: ServerResponse, code: number, message?: string): void {
  const status = ctx.opts().errorsAs === 'status' ? (STATUS_FOR_CODE[code] ?? 400) : 200;
  sendJson(res, status, { code, message: message ?? MESSAGE_FOR_CODE[code] ?? 'Error', data: null });
}

export { readAll as readBody } from '../body.ts';

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export function tokenValid(ctx: FakeCtx, token: string | undefined, now = Date.now()): boolean {
  if (!token) return false;
  if (ctx.opts().operatorTokens.includes(token)) return true;
  const t = ctx.tokens.get(token);
  return !!t && tokenAlive(ctx, t, now);
}

/** Expiry follows the current `tokenTtlMs` (0 = never), so a test can shorten it for tokens already issued. */
export function tokenAlive(ctx: FakeCtx, t: FakeToken, now = Date.now()): boolean {
  const ttl = ctx.opts().tokenTtlMs;
  return !t.revoked && (ttl <= 0 || now < t.issuedAt + ttl);
}

export function userIdOf(ctx: FakeCtx, token: string | undefined): string {
  const t = token ? ctx.tokens.get(token) : undefined;
  return t?.userId ?? 'usr_operator';
}
