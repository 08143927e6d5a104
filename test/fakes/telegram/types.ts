// The control surface of the fake Telegram Bot API (test/fakes/telegram/server.ts).
// Shapes follow the Bot API (snake_case) because grammY parses them as the real server's answers.

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  is_forum?: boolean;
}

/** One Bot API call the bot made, as parsed by the fake. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Multipart files by field name, `attach://` already resolved to the field that named them. */
  files: Record<string, { filename: string; bytes: Buffer }>;
  /** The HTTP status the fake answered, and the `result` when it was ok. */
  status: number;
  result?: unknown;
  at: number;
}

/** A file a user "sent": served from /file/bot<token>/<path> when it has bytes. */
export interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  /** Declared size; may exceed `bytes.length` to test limits without allocating. */
  size: number;
  bytes?: Buffer;
}

export interface FakeTelegramOptions {
  /** The one token the fake accepts; others get 401. */
  token: string;
  botUsername: string;
  botId: number;
  /** getFile refuses files larger than this (the cloud API's 20 MB). */
  maxDownloadBytes: number;
}

export interface SendOptions {
  caption?: string;
  /** A message id this message replies to. */
  replyTo?: number;
  /** Forum topic id (message_thread_id with is_topic_message). */
  topicId?: number;
  mediaGroupId?: string;
}
