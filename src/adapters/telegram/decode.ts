import type { Chat, Message, MessageEntity, PhotoSize, User } from 'grammy/types';
import { type ChatAddress, COMMAND_NAMES, type CommandName, type Sender } from '../../core/ports.ts';

// Pure translation of Telegram messages into the core's terms: addresses, senders, commands, whether a
// group message is meant for the bot, and which files it carries. No I/O here.

export interface BotIdentity {
  id: number;
  username: string;
}

export interface TgTarget {
  chatId: number;
  /** Forum topic: replies go there with message_thread_id. */
  topicId?: number;
}

/** `tg:<chatId>[:<topicId>]` — a forum topic is a chat of its own (its own session). */
export function toAddress(t: TgTarget): ChatAddress {
  return t.topicId === undefined ? `tg:${t.chatId}` : `tg:${t.chatId}:${t.topicId}`;
}

export function parseAddress(address: ChatAddress): TgTarget | undefined {
  const m = /^tg:(-?\d+)(?::(\d+))?$/.exec(address);
  if (!m) return undefined;
  return m[2] === undefined ? { chatId: Number(m[1]) } : { chatId: Number(m[1]), topicId: Number(m[2]) };
}

export function targetOf(message: Message): TgTarget {
  // message_thread_id also marks replies in non-forum threads; only a topic message is a chat of its own.
  if (message.is_topic_message && message.message_thread_id !== undefined) {
    return { chatId: message.chat.id, topicId: message.message_thread_id };
  }
  return { chatId: message.chat.id };
}

export const isPrivate = (message: Message) => message.chat.type === 'private';

/** Whether a user administers a group (getChatMember): asked only when the core needs to know. */
export type AdminCheck = (chatId: number, userId: number) => Promise<boolean>;

const yes = async () => true;
const no = async () => false;

/** Asks once per message, however often the core wants to know. */
function once(ask: () => Promise<boolean>): () => Promise<boolean> {
  let answer: Promise<boolean> | undefined;
  return () => {
    answer ??= ask();
    return answer;
  };
}

export function senderOf(message: Message, askAdmin: AdminCheck): Sender {
  // An anonymous group admin posts as the group itself (sender_chat === chat).
  if (message.sender_chat) {
    return {
      id: String(message.sender_chat.id),
      displayName: ('title' in message.sender_chat && message.sender_chat.title) || 'Anonymous',
      isAdmin: message.sender_chat.id === message.chat.id ? yes : no,
    };
  }
  return userSender(message.from, message.chat, askAdmin);
}

/** A user writing (or pressing a button) in `chat`: its own private chat, or a group that may ask Telegram. */
export function userSender(
  from: User | undefined,
  chat: Pick<Chat, 'id' | 'type'>,
  askAdmin: AdminCheck,
): Sender {
  const isAdmin = chat.type === 'private' ? yes : from ? once(() => askAdmin(chat.id, from.id)) : no;
  if (!from) return { id: 'unknown', displayName: 'Unknown', isAdmin };
  const displayName =
    [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id);
  return {
    id: String(from.id),
    displayName,
    isAdmin,
    ...(from.language_code ? { locale: from.language_code } : {}),
  };
}

export type ParsedCommand =
  | { kind: 'ours'; name: CommandName; arg?: string }
  /** A command we do not know, or one addressed to another bot (`/start@OtherBot`). */
  | { kind: 'foreign' | 'unknown' };

/** A leading `/command[@bot] [arg]`, as Telegram marks it with a bot_command entity at offset 0. */
export function parseCommand(
  text: string,
  entities: MessageEntity[] | undefined,
  bot: BotIdentity,
): ParsedCommand | undefined {
  const first = entities?.find((e) => e.offset === 0 && e.type === 'bot_command');
  if (!first) return undefined;
  const [cmd = '', target] = text.slice(1, first.length).split('@');
  if (target !== undefined && target.toLowerCase() !== bot.username.toLowerCase()) return { kind: 'foreign' };
  const name = COMMAND_NAMES.find((c) => c === cmd.toLowerCase());
  if (!name) return { kind: 'unknown' };
  const arg = text.slice(first.length).trim();
  return arg ? { kind: 'ours', name, arg } : { kind: 'ours', name };
}

export const textOf = (message: Message): string => message.text ?? message.caption ?? '';
export const entitiesOf = (message: Message) => message.entities ?? message.caption_entities;

/** Whether a group message mentions the bot by @username or by a text mention of its id. */
export function mentionsBot(message: Message, bot: BotIdentity): boolean {
  const text = textOf(message);
  const handle = `@${bot.username}`.toLowerCase();
  return (entitiesOf(message) ?? []).some(
    (e) =>
      (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user.id === bot.id),
  );
}

export function repliesToBot(message: Message, bot: BotIdentity): boolean {
  const reply = message.reply_to_message;
  // In a forum topic every message "replies" to the topic's service message: that is not a reply to us.
  if (!reply || reply.forum_topic_created) return false;
  return reply.from?.id === bot.id;
}

/** In groups the bot answers commands, replies to its own messages and mentions — not every message. */
export function isForBot(message: Message, bot: BotIdentity): boolean {
  if (isPrivate(message)) return true;
  const command = parseCommand(textOf(message), entitiesOf(message), bot);
  if (command?.kind === 'ours') return true;
  if (command?.kind === 'foreign') return false;
  return mentionsBot(message, bot) || repliesToBot(message, bot);
}

/** A file a message carries, before any byte moves. */
export interface FileRef {
  fileId: string;
  name: string;
  mimeType?: string;
  size?: number;
}

/** The largest photo size within `limit` bytes (sizes without a file_size count as fitting). */
export function pickPhoto(sizes: PhotoSize[], limit: number): PhotoSize | undefined {
  const fitting = sizes.filter((s) => (s.file_size ?? 0) <= limit);
  return fitting.sort((a, b) => a.width * a.height - b.width * b.height).at(-1);
}

function ref(fileId: string, name: string, mimeType?: string, size?: number): FileRef {
  return {
    fileId,
    name,
    ...(mimeType ? { mimeType } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

/**
 * The file of a message, if any. A photo whose every size is over `limit` yields its smallest size, so
 * the core refuses it with the limit message. Stickers are not media for the agent: ignored.
 */
export function fileOf(message: Message, limit: number): FileRef | undefined {
  if (message.photo && message.photo.length > 0) {
    const p = pickPhoto(message.photo, limit) ?? message.photo[0]!;
    return ref(p.file_id, `photo_${p.file_unique_id}.jpg`, 'image/jpeg', p.file_size);
  }
  const v = message.video ?? message.animation ?? message.video_note;
  if (v) {
    const name = 'file_name' in v && v.file_name ? v.file_name : `video_${v.file_unique_id}.mp4`;
    const mime = 'mime_type' in v ? v.mime_type : 'video/mp4';
    return ref(v.file_id, name, mime, v.file_size);
  }
  if (message.audio) {
    const a = message.audio;
    return ref(a.file_id, a.file_name ?? `audio_${a.file_unique_id}.mp3`, a.mime_type, a.file_size);
  }
  if (message.voice) {
    const a = message.voice;
    return ref(a.file_id, `voice_${a.file_unique_id}.ogg`, a.mime_type ?? 'audio/ogg', a.file_size);
  }
  if (message.document) {
    const d = message.document;
    return ref(d.file_id, d.file_name ?? `file_${d.file_unique_id}`, d.mime_type, d.file_size);
  }
  return undefined;
}
