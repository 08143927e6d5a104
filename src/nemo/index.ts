import type { Dispatcher } from 'undici';
import type { Logger, Secrets } from '../secrets.ts';
import { Auth, requestAnonToken } from './auth.ts';
import { type AccountCtx, call, type NemoTiming } from './call.ts';
import {
  cancelRender,
  downloadRender,
  newRenderId,
  renderStatus,
  startRender,
  waitForRender,
} from './render.ts';
import { claimData, creditsData, sessionData, stateData } from './schemas.ts';
import { chat } from './sse.ts';
import type { NemoAccount, NemoClient, NemoPlatform, SessionInfo, SessionState } from './types.ts';
import { upload, uploadUrls } from './upload.ts';

export * from './errors.ts';
export { createEventDecoder, decodeAll, mapSseData } from './events.ts';
export { newRenderId } from './render.ts';
export * from './types.ts';
export type { NemoTiming };

export interface NemoClientOptions {
  baseUrl: string;
  /** X-Skill-Version: the bot's package version. */
  version: string;
  secrets: Secrets;
  logger: Logger;
  timing: NemoTiming;
  dispatcher?: Dispatcher;
  /** X-Skill-Platform of calls made outside an account (`anonymousToken`); default `terminal`. */
  platform?: NemoPlatform;
  /** Longest SSE event (characters) the chat stream buffers; a longer one is skipped and reported. */
  maxEventChars?: number;
}

const CLAIM_BASE = 'https://nemovideo.com/workspace/claim?ct=';
const enc = encodeURIComponent;

export function createNemoClient(o: NemoClientOptions): NemoClient {
  const deps = {
    baseUrl: o.baseUrl,
    version: o.version,
    secrets: o.secrets,
    logger: o.logger.child({ mod: 'nemo' }),
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
  };
  return {
    anonymousToken: (clientId, signal) =>
      requestAnonToken(
        deps,
        { clientId, platform: o.platform ?? 'terminal', timeoutMs: o.timing.httpTimeoutMs },
        signal,
      ),
    account(credentials, options): NemoAccount {
      const auth = new Auth(credentials, {
        deps,
        platform: options.platform,
        timeoutMs: o.timing.httpTimeoutMs,
        sink: options.secrets ?? o.secrets,
        ...(options.onCredentials ? { onCredentials: options.onCredentials } : {}),
      });
      const ctx: AccountCtx = { deps, timing: o.timing, platform: options.platform, auth };
      if (o.maxEventChars !== undefined) ctx.maxEventChars = o.maxEventChars;
      return makeAccount(ctx, auth);
    },
    newRenderId,
  };
}

function makeAccount(ctx: AccountCtx, auth: Auth): NemoAccount {
  return {
    get credentials() {
      return auth.credentials;
    },
    async createSession(language, signal) {
      const d = await call(
        ctx,
        {
          method: 'POST',
          path: '/api/tasks/me/with-session/nemo_agent',
          json: { task_name: 'project', language },
          schema: sessionData,
          envelope: 'business',
        },
        signal,
      );
      auth.noteUserId(d.user_id);
      const out: SessionInfo = { taskId: d.task_id, sessionId: d.session_id };
      if (d.user_id) out.userId = d.user_id;
      return out;
    },
    chat: (sessionId, text, signal) => chat(ctx, sessionId, text, signal),
    upload: (sessionId, file, signal) => upload(ctx, sessionId, file, signal),
    uploadUrls: (sessionId, urls, signal) => uploadUrls(ctx, sessionId, urls, signal),
    async credits(signal) {
      const d = await call(
        ctx,
        { method: 'GET', path: '/api/credits/balance/simple', schema: creditsData, envelope: 'business' },
        signal,
      );
      const frozen = d.frozen ?? 0;
      return { available: d.available, frozen, total: d.total ?? d.available + frozen };
    },
    async state(sessionId, signal) {
      const d = await call(
        ctx,
        {
          method: 'GET',
          path: `/api/state/nemo_agent/me/${enc(sessionId)}/latest`,
          schema: stateData,
          envelope: 'business',
        },
        signal,
      );
      auth.noteUserId(d.user_id);
      const s = d.state;
      const out: SessionState = {};
      if (s?.draft) out.draft = s.draft;
      if (s?.video_infos !== undefined && s.video_infos !== null) out.videoInfos = s.video_infos;
      if (s?.canvas_config !== undefined && s.canvas_config !== null) out.canvasConfig = s.canvas_config;
      if (s?.generated_media !== undefined && s.generated_media !== null)
        out.generatedMedia = s.generated_media;
      if (d.user_id) out.userId = d.user_id;
      return out;
    },
    startRender: (args, signal) => startRender(ctx, args, signal),
    renderStatus: (id, signal) => renderStatus(ctx, id, signal),
    waitForRender: (id, onProgress, signal, options) => waitForRender(ctx, id, onProgress, signal, options),
    cancelRender: (id, signal) => cancelRender(ctx, id, signal),
    downloadRender: (args, signal) => downloadRender(ctx, args, signal),
    async claimLink(args, signal) {
      const d = await call(
        ctx,
        {
          method: 'POST',
          path: '/api/auth/claim-token',
          json: { task_id: args.taskId, session_id: args.sessionId },
          schema: claimData,
          envelope: 'business',
        },
        signal,
      );
      return `${CLAIM_BASE}${enc(d.claim_token)}`;
    },
  };
}
