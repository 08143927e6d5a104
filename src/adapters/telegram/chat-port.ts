import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Api, GrammyError } from 'grammy';
import { LRUCache } from 'lru-cache';
import { readMp4Info } from '../../core/mp4.ts';
import type {
  ChatAddress,
  ChatPort,
  OutMessage,
  Receipt,
  Recipient,
  SentRef,
  VideoOut,
} from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { parseAddress, type TgTarget } from './decode.ts';
import { LivePreview } from './drafts.ts';
import { clip, keyboard, mentionFor, replyParameters, splitCaption, splitText } from './encode.ts';
import { uploadLimit } from './media.ts';
import type { Reactions } from './reactions.ts';
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
  /** Receipts on users' messages (👀 / 👍 / 💔). */
  reactions?: Reactions;
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
  #preview: LivePreview | undefined;

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

  /** Private chats only: the agent's answer as it is written (src/adapters/telegram/drafts.ts). */
  draft(text: string | undefined): void {
    if (this.target.chatId <= 0) return;
    this.#preview ??= new LivePreview(this.deps.api, this.target, this.deps.editGapMs, this.deps.logger);
    this.#preview.update(text);
  }

  async send(message: OutMessage): Promise<SentRef> {
    const named = mentionFor(message.replyTo, this.target.chatId, message.text);
    const parts = splitText(named.text);
    // A preview message of this very text (drafts refused here) becomes the message instead of a second copy.
    const into = this.#preview
      ? await this.#preview.takeOver(parts.length === 1 ? parts[0] : undefined)
      : undefined;
    if (into !== undefined && (await this.#finishPreview(into, parts[0] ?? '', message)))
      return { id: String(into) };
    const markup = keyboard(message.buttons, message.lang ?? 'en');
    // "Reply to this message with…": Telegram opens the reply field for the user.
    const ask = message.ask && !markup ? { force_reply: true as const, selective: true } : undefined;
    const replyMarkup = markup ?? ask;
    let id = '';
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const sent = await this.deps.api.sendMessage(this.target.chatId, part, {
        ...this.#thread,
        ...(i === 0 ? replyParameters(message.replyTo) : {}),
        ...(i === 0 && named.entities ? { entities: named.entities } : {}),
        ...(last && replyMarkup ? { reply_markup: replyMarkup } : {}),
      });
      id = String(sent.message_id);
      if (last) remember(this.#shown, id, part + JSON.stringify(markup ?? null));
    }
    return { id };
  }

  async #finishPreview(id: number, text: string, message: OutMessage): Promise<boolean> {
    const markup = keyboard(message.buttons, message.lang ?? 'en');
    try {
      await this.deps.api.editMessageText(
        this.target.chatId,
        id,
        text,
        markup ? { reply_markup: markup } : {},
      );
      remember(this.#shown, String(id), text + JSON.stringify(markup ?? null));
      return true;
    } catch (err) {
      return isBadRequest(err, /message is not modified/i);
    }
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
    await this.send({
      text: `${video.linkText}\n${video.url}`,
      ...(video.buttons && { buttons: video.buttons }),
      ...(video.replyTo && { replyTo: video.replyTo }),
      ...(video.lang && { lang: video.lang }),
    });
  }

  async #uploadVideo(path: string, video: VideoOut): Promise<void> {
    const named = mentionFor(video.replyTo, this.target.chatId, video.caption ?? '');
    const { caption, rest } = splitCaption(named.text);
    const action = setInterval(() => void this.activity('upload_video'), CHAT_ACTION_EVERY_MS);
    try {
      await this.activity('upload_video');
      // Size and length from the file's own header, so clients lay the player out before it loads.
      const info = await readMp4Info(path);
      const duration = info.durationSec ?? video.durationSec;
      const markup = keyboard(video.buttons, video.lang ?? 'en');
      // A path (not a stream): grammY reopens it for every attempt, so the upload may be re-sent when Telegram
      // surely did not process it (retry.ts). Telegram has no idempotency key: a repeat after a crash that cut
      // the answer is a second copy (README, Reliability).
      await this.deps.api.sendVideo(this.target.chatId, diskFile(path, basename(path)), {
        ...this.#thread,
        supports_streaming: true,
        ...(duration !== undefined ? { duration: Math.max(1, Math.round(duration)) } : {}),
        ...(info.width && info.height ? { width: info.width, height: info.height } : {}),
        ...(caption ? { caption } : {}),
        ...(caption && named.entities ? { caption_entities: named.entities } : {}),
        ...(markup ? { reply_markup: markup } : {}),
        ...replyParameters(video.replyTo),
      });
    } finally {
      clearInterval(action);
    }
    for (const text of rest) await this.send({ text });
  }

  async react(messageId: string, receipt: Receipt): Promise<void> {
    if (/^\d+$/.test(messageId))
      await this.deps.reactions?.react(this.target.chatId, Number(messageId), receipt);
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
