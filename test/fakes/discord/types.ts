import type { KeyObject } from 'node:crypto';

// The control surface of the fake Discord (test/fakes/discord/server.ts). Tests may change `fake.options`
// at any time; the next request or dispatch sees the change.

export interface FakeChannel {
  id: string;
  name: string;
  /** 0 text, 11 public thread. */
  type: 0 | 11;
  parentId?: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
}

export interface FakeUser {
  id: string;
  username: string;
  globalName?: string;
  bot?: boolean;
  /** Takes no direct messages from the bot (privacy settings, no shared server): posting there is 50007. */
  dmsClosed?: boolean;
}

export interface FakeDiscordOptions {
  /** The one bot token the fake accepts (REST `Authorization: Bot …`, gateway IDENTIFY). */
  token: string;
  applicationId: string;
  bot: FakeUser;
  guilds: FakeGuild[];
  /** Gateway heartbeat interval announced in HELLO. */
  heartbeatIntervalMs: number;
  /** How long an interaction token lives for webhook calls (Discord: 15 minutes). */
  interactionTtlMs: number;
  /** How long the initial callback is accepted (Discord: 3 s); later ones get 10062 Unknown interaction. */
  ackWindowMs: number;
  /** `attachment_size_limit` sent with every interaction (Discord's default for bots: 10 MiB). */
  attachmentSizeLimit: number;
  /** Multipart uploads larger than this (per file) are refused with 413 / 40005. */
  maxUploadBytes: number;
  /** Close the gateway with this code on IDENTIFY (4004 bad token, 4014 disallowed intents). */
  identifyCloseCode?: number;
  /**
   * How long a create-message `nonce` sent with `enforce_nonce: true` is remembered: within it, a second create
   * by the same author with the same nonce returns the first message instead of a new one (Discord: "the past
   * few minutes").
   */
  nonceWindowMs?: number;
  /**
   * The Interactions Endpoint URL: when set, interactions are signed POSTs to it instead of gateway events
   * (as Discord does once the URL is saved in the Developer Portal).
   */
  interactionsUrl?: string;
  /** The application's Ed25519 private key (default: one generated per fake); `fake.publicKey` is its hex. */
  signingKey?: KeyObject;
}

export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface RestCall {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/1/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (or `payload_json` of a multipart body). */
  body: unknown;
  files: RecordedFile[];
  status: number;
  at: number;
}

export interface FakeMessage {
  id: string;
  channelId: string;
  content: string;
  /** Raw component rows as the bot sent them. */
  components: unknown[];
  files: RecordedFile[];
  /** 64 = ephemeral. */
  flags: number;
  authorId: string;
  /** The interaction this message answers (original reply or follow-up). */
  interactionId?: string;
  original?: boolean;
  /** Every content it had, oldest first (edits append). */
  history: string[];
  deleted?: boolean;
  createdAt: number;
  /** The `nonce` it was created with (kept only when the bot asked `enforce_nonce`). */
  nonce?: string;
}

export interface FakeInteraction {
  id: string;
  token: string;
  kind: 'command' | 'button';
  name: string;
  channelId: string;
  userId: string;
  dispatchedAt: number;
  /** When the first callback arrived, and its type (4 reply, 5 defer, 6 defer update, 7 update). */
  ackedAt?: number;
  ackType?: number;
  ackFlags?: number;
  /** Set after a deferred or immediate reply: the message `@original` names. */
  originalId?: string;
  /** Delivered over HTTP: how the bot's endpoint answered the POST. */
  http?: { status: number; body: unknown };
}

export interface Ctx {
  /** A channel id of one of the guilds; ignored when `dm`. Default: the first guild's first channel. */
  channel?: string;
  dm?: boolean;
  user?: FakeUser;
  locale?: string;
  /** The member's permission bits in that channel (string of a bigint); default: none. */
  permissions?: bigint;
}

export interface UploadedAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  url: string;
}
