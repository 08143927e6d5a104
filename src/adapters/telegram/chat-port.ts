import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Api, GrammyError } from 'grammy';
import { LRUCache } from 'lru-cache';
import type { ChatAddress, ChatPort, OutMessage, Recipient, SentRef, VideoOut } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { parseAddress, type TgTarget } from './decode.ts';
import { clip, keyboard, splitCaption, splitText } from './encode.ts';
import { uploadLimit } from './media.ts';
import { diskFile } from './retry.ts';

// The core's ChatPort for one Telegram chat (or forum topic). It tells Telegram's upload limit and enforces its
// mechanics: 4096-character messages, 1024-character captions, edits at most once per `editGapMs` per message
// (latest wins). 429s are retried by the auto-retry transformer installed on `api`. It words nothing: texts,
// button labels' language and the link notice all come from the core.

export interface PortDeps {
  api: Api;
  logger: Logger;
  local: boolean;
  /** Minimum time between two edits of one message (Telegram allows about one per second per chat). */
  editGapMs: number;
}

const CHAT_ACTION_EVERY_MS = 4_000; // Telegram shows a chat action for 5 s.
const REMEMBERED = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isBadRequest = (e: unknown, pattern: RegExp) =>
  e instanceof GrammyError && e.error_code === 400 && pattern.test(e.description);

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

export class TelegramChatPort implements ChatPort {
  readonly videoLimitBytes: number;
  /** Message id → what it shows now, to skip identical edits (Telegram answers 400 to them). */
  #shown = new Map<string, string>();
  #editSeq = new Map<string, number>();
  #lastEdit = new Map<string, number>();
  /** A message that could no longer be edited → the message sent in its place. */
  #replaced = new Map<string, string>();

  constructor(
    readonly address: ChatAddress,
    private readonly target: TgTarget,
    private readonly deps: PortDeps,
  ) {
    this.videoLimitBytes = uploadLimit(deps.local);
  }

  get #thread() {
    return this.target.topicId === undefined ? {} : { message_thread_id: this.target.topicId };
  }

  async send(message: OutMessage): Promise<SentRef> {
    const parts = splitText(message.text);
    const markup = keyboard(message.buttons, message.lang ?? 'en');
    let id = '';
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const sent = await this.deps.api.sendMessage(this.target.chatId, part, {
        ...this.#thread,
        ...(last && markup ? { reply_markup: markup } : {}),
      });
      id = String(sent.message_id);
      if (last) remember(this.#shown, id, part + JSON.stringify(markup ?? null));
    }
    return { id };
  }

  /**
   * A DM: a user's private chat has the user's id. Telegram answers 403 when the user never started the bot
   * (or blocked it); then the core says in the group where to get the answer. Only a positive id is a user:
   * an anonymous group admin writes as the group itself, which is no private place.
   */
  async sendPrivate(to: Recipient, message: OutMessage): Promise<SentRef | undefined> {
    const userId = Number(to.id);
    if (!Number.isSafeInteger(userId) || userId <= 0) return undefined;
    let id = '';
    try {
      for (const part of splitText(message.text)) {
        id = String((await this.deps.api.sendMessage(userId, part)).message_id);
      }
    } catch (err) {
      const unreachable =
        err instanceof GrammyError &&
        (err.error_code === 403 || (err.error_code === 400 && /chat not found/i.test(err.description)));
      if (!unreachable) throw err;
      this.deps.logger.info({ address: this.address }, 'telegram: the user has no private chat with the bot');
      return undefined;
    }
    return { id };
  }

  async edit(ref: SentRef, message: OutMessage): Promise<void> {
    const id = this.#replaced.get(ref.id) ?? ref.id;
    const text = clip(message.text);
    // Nothing left to show (control characters only): keep what the message says rather than fail.
    if (!text.trim()) return;
    const markup = keyboard(message.buttons, message.lang ?? 'en');
    const shown = text + JSON.stringify(markup ?? null);
    if (this.#shown.get(id) === shown) return;
    // Throttle: wait out the gap since the last edit; if a newer edit arrives meanwhile, it wins.
    const seq = (this.#editSeq.get(id) ?? 0) + 1;
    remember(this.#editSeq, id, seq);
    const wait = (this.#lastEdit.get(id) ?? 0) + this.deps.editGapMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (this.#editSeq.get(id) !== seq) return;
    remember(this.#lastEdit, id, Date.now());
    try {
      await this.deps.api.editMessageText(
        this.target.chatId,
        Number(id),
        text,
        markup ? { reply_markup: markup } : {},
      );
      remember(this.#shown, id, shown);
    } catch (err) {
      if (isBadRequest(err, /message is not modified/i)) return;
      if (!isBadRequest(err, /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i))
        throw err;
      // Deleted or too old to edit: post the text as a new message and edit that one from now on.
      const sent = await this.send(message);
      remember(this.#replaced, ref.id, sent.id);
    }
  }

  async sendVideo(video: VideoOut): Promise<void> {
    const size = video.path ? (video.size ?? (await stat(video.path)).size) : undefined;
    if (video.path && size !== undefined && size <= this.videoLimitBytes) {
      try {
        await this.#uploadVideo(video.path, video);
        return;
      } catch (err) {
        // The server may enforce a lower limit than configured: fall back to the link.
        if (!(err instanceof GrammyError && err.error_code === 413)) throw err;
        this.deps.logger.warn(
          { address: this.address, size },
          'telegram refused the video as too large; sending the link',
        );
      }
    }
    await this.send({ text: `${video.linkText}\n${video.url}` });
  }

  async #uploadVideo(path: string, video: VideoOut): Promise<void> {
    const { caption, rest } = splitCaption(video.caption ?? '');
    const action = setInterval(() => void this.activity('upload_video'), CHAT_ACTION_EVERY_MS);
    try {
      await this.activity('upload_video');
      // A path (not a stream): grammY reopens it for every attempt, so the upload may be re-sent when Telegram
      // surely did not process it (retry.ts). Telegram has no idempotency key: a repeat after a crash that cut
      // the answer is a second copy (README, Reliability).
      await this.deps.api.sendVideo(this.target.chatId, diskFile(path, basename(path)), {
        ...this.#thread,
        supports_streaming: true,
        ...(video.durationSec !== undefined ? { duration: Math.round(video.durationSec) } : {}),
        ...(caption ? { caption } : {}),
      });
    } finally {
      clearInterval(action);
    }
    for (const text of rest) await this.send({ text });
  }

  async activity(kind: 'typing' | 'upload_video'): Promise<void> {
    try {
      await this.deps.api.sendChatAction(this.target.chatId, kind, this.#thread);
    } catch (err) {
      // Only cosmetic: never fail a turn over it.
      this.deps.logger.debug({ address: this.address, err: (err as Error).message }, 'sendChatAction failed');
    }
  }
}

/** How many chats' ports stay cached; an evicted one is made again (work in flight keeps its own). */
export const PORTS_CACHED = 1_000;

/** One port per chat address, shared by inbound messages and the engine's resolver (late results). */
export class ChatPorts {
  readonly #ports: LRUCache<ChatAddress, TelegramChatPort>;

  constructor(
    readonly deps: PortDeps,
    max = PORTS_CACHED,
  ) {
    this.#ports = new LRUCache({ max });
  }

  /** How many chats' ports are cached (tests). */
  get size(): number {
    return this.#ports.size;
  }

  get(address: ChatAddress): TelegramChatPort | undefined {
    const cached = this.#ports.get(address);
    if (cached) return cached;
    const target = parseAddress(address);
    if (!target) return undefined;
    const port = new TelegramChatPort(address, target, this.deps);
    this.#ports.set(address, port);
    return port;
  }
}
