// The control surface of the fake NemoVideo server (test/fakes/nemo/server.ts). Every choice docs/nemo-contract.md
// calls unknowable is a switch here, so tests run the client against each variant.
// Tests may change `fake.options` at any time; the next request sees the change.

export type FakeRoute =
  | 'token'
  | 'session'
  | 'chat'
  | 'upload'
  | 'credits'
  | 'state'
  | 'render'
  | 'poll'
  | 'cancel'
  | 'download'
  | 'claim'
  /** GET /files/<name>: the "CDN" a render's output URL points at. */
  | 'file';

/** An error to answer instead of the normal reply, `times` times (default 1) or for a window of time. */
export interface InjectedFault {
  route: FakeRoute;
  /** Body code (1001, 1002, 2001, 4001, 4002, or a `{code: 500}` body) — sent as HTTP 200 or as a status, by `errorsAs`. */
  code?: number;
  /** Plain HTTP status with no business code (400, 402, 429, 500, 503). */
  status?: number;
  times?: number;
  /** An outage window: from its first hit the fault answers every request of the route for this long (`times` ignored). */
  windowMs?: number;
  /** Close the connection without an answer (the client sees a network error). */
  reset?: boolean;
  /** Answer nothing for this long, then close the connection (the client's timeout trips first when shorter). */
  hangMs?: number;
  /** Only for download and file: send the headers and this many bytes of the MP4, then stall (never finish). */
  stallAfterBytes?: number;
  /** Only for chat: close the socket after this many events instead of answering (mid-stream disconnect). */
  disconnectAfterEvents?: number;
  /** Only for chat: send `data: {"error": "<text>"}` after the first events, then close. */
  streamError?: string;
}

export interface FakeNemoOptions {
  /** Render poll reply: A `{success,data:{…,outputUrl}}` or B top-level `{taskId,status,progress,output:{url,duration,size}}`. */
  pollShape: 'A' | 'B';
  /** Heartbeat bytes: an empty `data:` line, `data: {"type":"heartbeat"}`, or an SSE comment `: ping`. */
  heartbeat: 'empty' | 'json' | 'comment';
  /** Interval of heartbeats while the agent "works". */
  heartbeatMs: number;
  /** How long the agent works before its reply on a generation turn (heartbeats meanwhile). */
  generateMs: number;
  /** How long an edit or a plain text turn takes. */
  replyMs: number;
  /** Where body codes go: HTTP 200 with `{code: N}` ('body'), or a matching HTTP status with the same body ('status'). */
  errorsAs: 'body' | 'status';
  /** Edit turns end with tool events and no text (about 30% of real edits). */
  silentEdits: boolean;
  /** Stream text as `partial: true` chunks before the complete event. */
  partialText: boolean;
  /** Add a `thought: true` text part before the answer. */
  thoughts: boolean;
  /** Emit the older simplified events `{type:"text",content}` / `{type:"tool_call"}` / `{type:"heartbeat"}`. */
  simplifiedEvents: boolean;
  /** Line endings of the SSE stream. */
  lineEnding: '\n' | '\r\n';
  /** Write the SSE bytes in chunks of this many bytes (1 = byte by byte), to split events at awkward places. */
  chunkBytes: number;
  /** Replace the agent's text reply (e.g. a GUI phrase: "Click the Export button to download your video."). */
  replyText?: string;
  /** Append the trailing "I encountered a temporary issue" text after real work. */
  trailingIssue: boolean;
  /** Pad a tool result event with a `log` string of this many characters (an oversized SSE event); 0 = none. */
  bigToolResultChars: number;
  /** Polls until a render completes (progress grows each poll). */
  renderPolls: number;
  renderFails: boolean;
  /** The first render create with a given id answers a duplicate-id error. */
  duplicateRenderIdOnce: boolean;
  /** Render create without the X-Skill-* attribution headers answers HTTP 402 (true to the skill). */
  requireAttribution: boolean;
  /** Pad the served MP4 (a `free` box) to at least this many bytes, to test size limits; 0 = the bare sample. */
  mp4PadTo: number;
  /** Anonymous tokens issued per IP before HTTP 429 (docs/nemo-contract.md: about 10 per week). */
  tokensPerIp: number;
  /** Tokens expire after this long (then 1001); 0 = never. */
  tokenTtlMs: number;
  /** Upload size limit (4002 past it). */
  maxUploadBytes: number;
  credits: { available: number; frozen: number };
  /** Credits a render spends when it is created (default 0: exports are free, as the skill says). */
  renderCost?: number;
  /** Tokens that are always accepted (an operator's NEMO_TOKEN). */
  operatorTokens: string[];
  faults: InjectedFault[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes (uploads recorded byte for byte). */
  body: Buffer;
  at: number;
}

export interface RecordedUpload {
  sessionId: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface FakeNemo {
  /** `http://127.0.0.1:<port>`: pass as NEMO_API_URL. */
  readonly url: string;
  options: FakeNemoOptions;
  readonly requests: RecordedRequest[];
  /** Every chat message received, in order. */
  readonly chats: Array<{ sessionId: string; text: string }>;
  /** Chat messages that arrived a second time in the same session: must stay empty. */
  readonly duplicateChats: Array<{ sessionId: string; text: string }>;
  /** Chat streams open now and the most ever open at once, per session id (one at a time per chat). */
  readonly streams: { readonly open: Map<string, number>; readonly most: Map<string, number> };
  readonly uploads: RecordedUpload[];
  /** Current draft per session id (tests may read or replace it). */
  readonly drafts: Map<string, unknown>;
  /** Issued anonymous tokens and the operator tokens: what must never appear in logs or chat. */
  readonly issuedTokens: string[];
  /** The sample MP4 as served (after padding). */
  mp4(): Buffer;
  /** Renders the backend accepted, in creation order: each one is a charge. */
  renders(): Array<{ id: string; sessionId: string; polls: number }>;
  /** Count of requests to a route. */
  count(route: FakeRoute): number;
  close(): Promise<void>;
}
