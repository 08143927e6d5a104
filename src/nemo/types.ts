// The public face of the NemoVideo client (src/nemo). Self-contained: it knows HTTP, SSE and the
// backend's shapes (docs/nemo-contract.md), nothing of chats. The core codes against these types only.

export type NemoPlatform = 'discord' | 'telegram' | 'terminal';

export type NemoErrorCode =
  | 'token_invalid' // 1001: bad or expired token
  | 'session_not_found' // 1002 (or ADK's 404 "Session not found")
  | 'no_credits' // 2001
  | 'unsupported_file' // 4001, or refused locally before upload
  | 'file_too_large' // 4002, or refused locally before upload
  | 'client_id_missing' // HTTP 400 on the token endpoint
  | 'export_blocked' // HTTP 402: free plan / missing attribution
  | 'rate_limited' // HTTP 429 after its one retry
  | 'trial_limit' // HTTP 429 on the anonymous-token endpoint: about 10 trial tokens per IP per week
  | 'backend' // any other refusal (non-zero code, non-2xx, `{success:false}`)
  | 'unreachable' // could not reach the backend (DNS, refused, reset before sending)
  | 'timeout' // a budget ran out (request, overall SSE budget)
  | 'bad_response' // the answer did not match the schema
  | 'stream_broken' // the SSE stream broke after the message was delivered
  | 'render_failed' // the render job reported `failed`
  | 'render_timeout' // the render did not complete within the poll budget (interval × RENDER_POLL_MAX)
  | 'aborted'; // the caller's AbortSignal fired

/**
 * One error class; `kind` tells the four families of docs/decisions.md apart: the backend said no, could not reach,
 * timed out, answer did not match. Messages never contain a token, client id or file URL.
 */
export interface NemoErrorInfo {
  code: NemoErrorCode;
  kind: 'refused' | 'network' | 'timeout' | 'schema' | 'aborted';
  status?: number;
  /** The body `code` when the backend sent one. */
  bodyCode?: number;
  /** For chat sends: the request body was sent (never re-send). */
  delivered?: boolean;
  /** The `anon_…` user id, when known (2001 registration link). */
  userId?: string;
  /** HTTP method and path (no query string, no host), for logs. */
  method?: string;
  path?: string;
}

/** Operator account (NEMO_TOKEN) or a per-chat anonymous trial identity. */
export type Credentials =
  | { kind: 'operator'; token: string }
  | { kind: 'anonymous'; clientId: string; token?: string; userId?: string; expiresAt?: string };

export interface AnonToken {
  token: string;
  userId?: string;
  expiresAt?: string;
  credits?: number;
}

export interface SessionInfo {
  taskId: string;
  sessionId: string;
  userId?: string;
}

/** What a chat stream yields. The iterator ends when the stream closes normally. */
export type NemoEvent =
  /** Complete (non-partial, non-thought) text meant for the user. */
  | { type: 'text'; text: string; author?: string }
  /**
   * A chunk of text still being written (ADK `partial: true`, not a thought): only for a live preview — the
   * complete text follows in a `text` event, which is what the user keeps.
   */
  | { type: 'partial'; text: string }
  | { type: 'tool_call'; name: string; id?: string; args?: unknown }
  | { type: 'tool_result'; name: string; id?: string; response?: unknown }
  | { type: 'heartbeat' }
  /**
   * `data: {"error": …}` or an ADK `errorCode`/`errorMessage` event (the stream closes after it); or, with
   * code EVENT_TOO_LARGE, an event past the client's size limit that was skipped (the stream goes on).
   */
  | { type: 'error'; message: string; code?: string }
  /** Emitted once when only heartbeats arrived for SSE_STUCK_MS; the stream stays open. */
  | { type: 'stuck' };

/** The `code` of the error event that stands for a skipped oversized SSE event. */
export const EVENT_TOO_LARGE = 'event_too_large';

export interface UploadFile {
  name: string;
  mimeType?: string;
  /** Bytes, when known: checked against the limit before any byte is sent. */
  size?: number;
  stream: ReadableStream<Uint8Array> | NodeJS.ReadableStream;
}

export interface UploadedFile {
  name: string;
  url?: string;
  fileType?: string;
  duration?: number;
  width?: number;
  height?: number;
}

export interface Credits {
  available: number;
  frozen: number;
  total: number;
}

/** Draft JSON: short keys t (tracks), tt (track type: 0 video, 1 audio, 7 text), sg (segments), d (ms), m (meta). */
export interface DraftTrack {
  tt?: number;
  sg?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}
export interface Draft {
  t?: DraftTrack[];
  d?: number;
  m?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SessionState {
  draft?: Draft;
  videoInfos?: unknown;
  canvasConfig?: unknown;
  generatedMedia?: unknown;
  userId?: string;
}

export type RenderPhase = 'pending' | 'processing' | 'completed' | 'failed';

export interface RenderStatus {
  id: string;
  status: RenderPhase;
  /** 0–100 when the backend tells. */
  progress?: number;
  /** The backend's output URL (absolute), when it gave one. */
  url?: string;
  /** The proxy download of this render (absolute; needs the account's token). */
  downloadUrl: string;
  durationSec?: number;
  size?: number;
  error?: string;
}

export type CompletedRender = RenderStatus & { status: 'completed' };

export interface NemoAccount {
  /** The credentials now in use (after a re-auth, the new token); persist them. */
  readonly credentials: Credentials;
  createSession(language: string, signal?: AbortSignal): Promise<SessionInfo>;
  /**
   * Sends one message and streams the agent's events. Before the stream opens, a non-2xx answer may be
   * retried once (1001 after re-auth, 429 after RATE_LIMIT_RETRY_MS); after the body is sent, never.
   * Throws NemoError with `delivered` telling whether the message may have reached the agent.
   */
  chat(sessionId: string, text: string, signal?: AbortSignal): AsyncIterable<NemoEvent>;
  upload(sessionId: string, file: UploadFile, signal?: AbortSignal): Promise<UploadedFile[]>;
  uploadUrls(sessionId: string, urls: string[], signal?: AbortSignal): Promise<UploadedFile[]>;
  credits(signal?: AbortSignal): Promise<Credits>;
  state(sessionId: string, signal?: AbortSignal): Promise<SessionState>;
  /**
   * Creates a render with the given id; on a duplicate id makes a new one and retries once (unless
   * `newIdOnDuplicate` is false: then the duplicate error is thrown, see isDuplicateRender). Returns the id used.
   */
  startRender(
    args: { id: string; sessionId: string; draft: Draft; newIdOnDuplicate?: boolean },
    signal?: AbortSignal,
  ): Promise<string>;
  renderStatus(id: string, signal?: AbortSignal): Promise<RenderStatus>;
  /**
   * Polls every RENDER_POLL_INTERVAL_MS, riding out transient failures, until the render completes. Its
   * other endings are distinct NemoErrors: `render_failed` (NemoVideo said so), `render_timeout` (the budget,
   * interval × RENDER_POLL_MAX unless given, is spent) and `aborted` (the signal).
   */
  waitForRender(
    id: string,
    onProgress: (status: RenderStatus) => void | Promise<void>,
    signal?: AbortSignal,
    options?: { budgetMs?: number },
  ): Promise<CompletedRender>;
  cancelRender(id: string, signal?: AbortSignal): Promise<void>;
  /**
   * Downloads the MP4 to `dest` (streamed), from `url` or else the download fallback, all attempts within one
   * budget (TRANSFER_TIMEOUT_MS unless given). Throws file_too_large (without leaving a partial file) past
   * `maxBytes`.
   */
  downloadRender(
    args: { id: string; url?: string; dest: string; maxBytes?: number; budgetMs?: number },
    signal?: AbortSignal,
  ): Promise<{ path: string; size: number }>;
  /** A browser link that opens the project in NemoVideo's web editor. */
  claimLink(args: { taskId: string; sessionId: string }, signal?: AbortSignal): Promise<string>;
}

/** Where the client registers a secret the moment it learns it (a token, a client id). */
export interface SecretSink {
  add(value: string | undefined | null): void;
}

export interface AccountOptions {
  platform: NemoPlatform;
  /** Called whenever the client acquired a token (the first one and after a 1001): persist it. */
  onCredentials?: (c: Credentials) => void | Promise<void>;
  /** Where this account's token and client id are registered (default: the client's registry). */
  secrets?: SecretSink;
}

export interface NemoClient {
  anonymousToken(clientId: string, signal?: AbortSignal): Promise<AnonToken>;
  /**
   * An account bound to credentials. For anonymous credentials without a token, the first call acquires one;
   * on 1001 it re-acquires with the same client id and calls `onCredentials` so the caller can persist it.
   */
  account(credentials: Credentials, options: AccountOptions): NemoAccount;
  /** A fresh render id, to record a job before `startRender` (whose id it then is). */
  newRenderId(): string;
}

export const SUPPORTED_FORMATS = [
  'mp4',
  'mov',
  'avi',
  'webm',
  'mkv',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'mp3',
  'wav',
  'm4a',
  'aac',
] as const;
