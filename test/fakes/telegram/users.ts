import { tinyJpeg } from './jpeg.ts';
import type { TelegramState } from './state.ts';
import type { SendOptions, StoredFile, TgChat, TgUser } from './types.ts';

// Acting as Telegram users: each helper queues the update the real server would deliver (private chats,
// groups, forum topics, albums, button presses), with entities computed the way clients send them.

type Update = { update_id: number; [key: string]: unknown };

function entitiesOf(text: string): Array<{ type: string; offset: number; length: number }> {
  const out: Array<{ type: string; offset: number; length: number }> = [];
  const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (command) out.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(^|\s)(@[A-Za-z0-9_]{3,})/g)) {
    out.push({ type: 'mention', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return out;
}

export class TelegramUsers {
  #nextGroup = 1;
  #nextAlbum = 1;
  constructor(readonly state: TelegramState) {}

  user(id: number, opts: { lang?: string; name?: string; username?: string } = {}): TgUser {
    return {
      id,
      is_bot: false,
      first_name: opts.name ?? `User${id}`,
      ...(opts.username ? { username: opts.username } : {}),
      ...(opts.lang ? { language_code: opts.lang } : {}),
    };
  }

  /** The user's private chat with the bot: the user pressed Start, so the bot may write there. */
  privateChat(user: TgUser): TgChat {
    const chat: TgChat = { id: user.id, type: 'private', first_name: user.first_name };
    this.state.chats.set(chat.id, chat);
    return chat;
  }

  /** The user blocks the bot: the bot's messages to their private chat answer 403 from now on. */
  blockBot(user: TgUser): void {
    this.state.blocked.add(user.id);
  }

  group(opts: { title?: string; forum?: boolean } = {}): TgChat {
    const chat: TgChat = {
      id: -(1_000_000_000_000 + this.#nextGroup++),
      type: 'supergroup',
      title: opts.title ?? 'Team',
      ...(opts.forum ? { is_forum: true } : {}),
    };
    this.state.chats.set(chat.id, chat);
    return chat;
  }

  /** Makes `user` an administrator (or `creator`) of `chat` for getChatMember. */
  setAdmin(chat: TgChat, user: TgUser, status: 'administrator' | 'creator' = 'administrator'): void {
    this.state.members.set(`${chat.id}:${user.id}`, status);
  }

  #message(
    chat: TgChat,
    from: TgUser,
    opts: SendOptions,
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    const message: Record<string, unknown> = {
      message_id: this.state.nextMessageId(chat.id),
      date: Math.floor(Date.now() / 1000),
      chat,
      from,
      ...body,
    };
    if (opts.topicId !== undefined) {
      message.message_thread_id = opts.topicId;
      message.is_topic_message = true;
    }
    if (opts.mediaGroupId) message.media_group_id = opts.mediaGroupId;
    if (opts.replyTo !== undefined) {
      const bot = this.state.messages.get(`${chat.id}:${opts.replyTo}`);
      message.reply_to_message = {
        message_id: opts.replyTo,
        date: message.date,
        chat,
        from: bot ? this.state.bot : from,
        ...(bot?.text !== undefined ? { text: bot.text } : {}),
      };
    } else if (opts.topicId !== undefined) {
      // Inside a forum topic, a message that replies to nothing replies to the topic's service message.
      message.reply_to_message = {
        message_id: opts.topicId,
        date: message.date,
        chat,
        from,
        forum_topic_created: { name: 'Topic', icon_color: 7322096 },
      };
    }
    if (opts.caption !== undefined) {
      message.caption = opts.caption;
      const entities = entitiesOf(opts.caption);
      if (entities.length) message.caption_entities = entities;
    }
    return message;
  }

  #push(key: 'message' | 'callback_query', value: Record<string, unknown>): Update {
    const update: Update = { update_id: this.state.nextUpdateId(), [key]: value };
    this.state.pushUpdate(update);
    return update;
  }

  sendText(chat: TgChat, from: TgUser, text: string, opts: SendOptions = {}): Update {
    const entities = entitiesOf(text);
    return this.#push(
      'message',
      this.#message(chat, from, opts, { text, ...(entities.length ? { entities } : {}) }),
    );
  }

  /**
   * A photo in the sizes Telegram makes (declared byte sizes, smallest first). Only the sizes within the
   * download limit carry bytes (the tiny JPEG).
   */
  sendPhoto(
    chat: TgChat,
    from: TgUser,
    opts: SendOptions & { sizes?: number[] } = {},
  ): { update: Update; files: StoredFile[] } {
    const jpeg = tinyJpeg();
    const sizes = opts.sizes ?? [jpeg.length, jpeg.length];
    const files = sizes.map((size) =>
      this.state.addFile(size, size <= this.state.options.maxDownloadBytes ? jpeg : undefined, 'jpg'),
    );
    const photo = files.map((f, i) => ({
      file_id: f.fileId,
      file_unique_id: f.uniqueId,
      file_size: f.size,
      width: 90 * (i + 1),
      height: 90 * (i + 1),
    }));
    return { update: this.#push('message', this.#message(chat, from, opts, { photo })), files };
  }

  /** A document; `size` larger than `bytes` declares a big file without allocating it. */
  sendDocument(
    chat: TgChat,
    from: TgUser,
    doc: SendOptions & { fileName: string; mimeType?: string; bytes?: Buffer; size?: number },
  ): { update: Update; file: StoredFile } {
    const bytes = doc.bytes ?? Buffer.from('just some bytes');
    const ext = doc.fileName.includes('.') ? doc.fileName.split('.').pop()! : 'bin';
    const file = this.state.addFile(doc.size ?? bytes.length, bytes, ext);
    const document = {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.size,
      file_name: doc.fileName,
      ...(doc.mimeType ? { mime_type: doc.mimeType } : {}),
    };
    return { update: this.#push('message', this.#message(chat, from, doc, { document })), file };
  }

  /** `count` photos sharing a media_group_id, the caption on the first (as Telegram clients send them). */
  sendAlbum(
    chat: TgChat,
    from: TgUser,
    count: number,
    caption: string,
    opts: SendOptions = {},
  ): { updates: Update[]; files: StoredFile[] } {
    const mediaGroupId = `album${this.#nextAlbum++}${Date.now()}`;
    const updates: Update[] = [];
    const files: StoredFile[] = [];
    for (let i = 0; i < count; i++) {
      const sent = this.sendPhoto(chat, from, { ...opts, mediaGroupId, ...(i === 0 ? { caption } : {}) });
      updates.push(sent.update);
      files.push(sent.files.at(-1)!);
    }
    return { updates, files };
  }

  /** Presses an inline button of a message the bot sent. */
  pressButton(chat: TgChat, from: TgUser, messageId: number, data: string): Update {
    const sent = this.state.messages.get(`${chat.id}:${messageId}`);
    const message = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: this.state.bot,
      ...(sent?.threadId !== undefined ? { message_thread_id: sent.threadId, is_topic_message: true } : {}),
      ...(sent?.text !== undefined ? { text: sent.text } : {}),
    };
    return this.#push('callback_query', {
      id: `cb${this.state.nextUpdateId()}`,
      from,
      message,
      chat_instance: `ci${chat.id}`,
      data,
    });
  }
}
