// Business-envelope routes: anonymous token, session, credits, state, claim token, URL upload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asDraft } from './agent.ts';
import {
  bearer,
  type FakeCtx,
  type FakeSession,
  hex,
  isRecord,
  parseJson,
  sendCode,
  sendJson,
  sendOk,
  tokenAlive,
  userIdOf,
} from './state.ts';
import type { FakeRoute } from './types.ts';
import { handleUrlUpload } from './upload.ts';

const WEEK_MS = 7 * 24 * 3600_000;

/**
 * POST /api/auth/anonymous-token. One token per client id per week (HTTP 429), unless that client's token has
 * expired or was revoked (an injected 1001 revokes); at most `tokensPerIp` tokens per IP (HTTP 429).
 * A re-issued token keeps the client's `anon_…` user id.
 */
export function handleToken(ctx: FakeCtx, req: IncomingMessage, res: ServerResponse) {
  const o = ctx.opts();
  const clientId = req.headers['x-client-id'];
  if (typeof clientId !== 'string' || !clientId || clientId.length > 64) {
    return sendJson(res, 400, {
      code: 400,
      message: 'X-Client-Id header is required (at most 64 chars)',
      data: null,
    });
  }
  const now = Date.now();
  const prev = ctx.tokens.get(ctx.clientTokens.get(clientId) ?? '');
  if (prev && tokenAlive(ctx, prev, now) && now - prev.issuedAt < WEEK_MS) {
    return sendJson(res, 429, { code: 429, message: 'One trial token per device per week', data: null });
  }
  const ip = req.socket.remoteAddress ?? '?';
  const used = ctx.tokensPerIp.get(ip) ?? 0;
  if (used >= o.tokensPerIp) {
    return sendJson(res, 429, { code: 429, message: 'Too many trial tokens from this network', data: null });
  }
  ctx.tokensPerIp.set(ip, used + 1);
  const token = `nmv_usr_${hex(16)}`;
  const userId = ctx.clientUsers.get(clientId) ?? `anon_${hex(8)}`;
  ctx.clientUsers.set(clientId, userId);
  const expiresAt = o.tokenTtlMs > 0 ? now + o.tokenTtlMs : 0;
  ctx.tokens.set(token, { userId, clientId, issuedAt: now, revoked: false });
  ctx.clientTokens.set(clientId, token);
  ctx.issuedTokens.push(token);
  sendOk(res, {
    token,
    user_id: userId,
    ...(expiresAt ? { expires_at: new Date(expiresAt).toISOString() } : {}),
    credits: o.credits.available,
  });
}

function createSession(ctx: FakeCtx, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const b = parseJson(body);
  const language = isRecord(b) && typeof b.language === 'string' && b.language ? b.language : 'en';
  const userId = userIdOf(ctx, bearer(req));
  // Numeric string ids, as the real backend returns.
  const id = `${Date.now()}${String(ctx.sessions.size).padStart(4, '0')}`;
  const s: FakeSession = {
    id,
    taskId: `task_${hex(8)}`,
    userId,
    language,
    seen: new Set(),
    videoInfos: [],
    generatedMedia: [],
  };
  ctx.sessions.set(id, s);
  ctx.drafts.set(id, asDraft(undefined));
  sendOk(res, { task_id: s.taskId, session_id: id, user_id: userId });
}

export function handleAuthed(
  ctx: FakeCtx,
  req: IncomingMessage,
  res: ServerResponse,
  route: FakeRoute,
  param: string,
  body: Buffer,
) {
  const o = ctx.opts();
  switch (route) {
    case 'session':
      return createSession(ctx, req, res, body);
    case 'credits': {
      const { available, frozen } = o.credits;
      return sendOk(res, { available, frozen, total: available + frozen });
    }
    case 'state': {
      const s = ctx.sessions.get(param);
      if (!s) return sendCode(ctx, res, 1002);
      return sendOk(res, {
        state: {
          draft: ctx.drafts.get(param) ?? null,
          video_infos: s.videoInfos,
          canvas_config: { width: 1080, height: 1920, ratio: '9:16', fps: 30 },
          generated_media: s.generatedMedia,
        },
        user_id: s.userId,
      });
    }
    case 'claim': {
      const b = parseJson(body);
      if (!isRecord(b) || typeof b.task_id !== 'string' || typeof b.session_id !== 'string') {
        return sendJson(res, 400, { code: 400, message: 'task_id and session_id are required', data: null });
      }
      if (!ctx.sessions.has(b.session_id)) return sendCode(ctx, res, 1002);
      return sendOk(res, { claim_token: `ct_${hex(12)}` });
    }
    case 'upload': {
      const s = ctx.sessions.get(param);
      if (!s) return sendCode(ctx, res, 1002);
      return handleUrlUpload(ctx, res, s, body);
    }
    default:
      sendJson(res, 404, { detail: `fake-nemo: no handler for ${route}` });
  }
}
