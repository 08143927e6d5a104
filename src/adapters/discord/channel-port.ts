import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DiscordAPIError, type REST, Routes } from 'discord.js';
import { looksChinese } from '../../core/language.ts';
import type { ChatAddress, ChatPort, Lang, OutMessage, SentRef, VideoOut } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { TEXTS } from './commands.ts';
import { allowedMentions, buttonRow, clip, type DcTarget, postChannel, splitText } from './encode.ts';

// The ChatPort for a channel, through plain REST: DMs and mentions, results that outlive an interaction
// token (then mentioning the user), and jobs resumed after a restart. 429s wait in @discordjs/rest's queue.

export interface PortEnv {
  rest: REST;
  logger: Logger;
  /** The language of the adapter's own texts for a chat when the message itself does not tell. */
  langOf(address: ChatAddress): Lang;
}

/** What one platform message carries. */
export interface Payload {
  content: string;
  components: unknown[];
  file?: { path: string; name: string };
  ephemeral?: boolean;
}

export const isApiError = (e: unknown, ...codes: Array<number | string>): e is DiscordAPIError =>
  e instanceof DiscordAPIError && codes.includes(e.code);

/** Button labels and notices follow the language the core wrote the text in. */
export function langFor(text: string, fallback: Lang): Lang {
  if (!text.trim()) return fallback;
  return looksChinese(text) ? 'zh' : 'en';
}

/** Splits a message into payloads: buttons go under the last part. */
export function payloads(message: OutMessage, lang: Lang, prefix = ''): Payload[] {
  const parts = splitText(prefix + message.text);
  const rows = buttonRow(message.buttons, message.lang ?? langFor(message.text, lang));
  return parts.map((content, i) => ({
    content,
    components: i === parts.length - 1 ? rows : [],
    ...(message.private ? { ephemeral: true } : {}),
  }));
}

/** The payload that announces a video: the file when it fits `limit`, else its link. */
export async function videoPayload(video: VideoOut, limit: number, lang: Lang): Promise<Payload[]> {
  const size = video.path ? (video.size ?? (await stat(video.path)).size) : video.size;
  const caption = video.caption ?? '';
  if (video.path && size !== undefined && size <= limit) {
    const [first, ...rest] = splitText(caption);
    return [
      { content: first ?? '', components: [], file: { path: video.path, name: basename(video.path) } },
      ...rest.map((content) => ({ content, components: [] })),
    ];
  }
  const notice = `${TEXTS[langFor(caption, lang)].videoLink(size, limit)}\n${video.url}`;
  return payloads({ text: caption ? `${caption}\n\n${notice}` : notice }, lang);
}

export class ChannelPort implements ChatPort {
  readonly channelId: string;
  /** A message that could not be edited → the one sent in its place. */
  #replaced = new Map<string, string>();
  #shown = new Map<string, string>();

  constructor(
    readonly address: ChatAddress,
    target: DcTarget,
    private readonly env: PortEnv,
    readonly videoLimitBytes: number,
    /** Mention this user on the first part of every message (a result that outlived its interaction). */
    private readonly mentionUserId?: string,
  ) {
    this.channelId = postChannel(target);
  }

  get #lang(): Lang {
    return this.env.langOf(this.address);
  }

  async post(p: Payload, mention = this.mentionUserId): Promise<string> {
    const body = {
      content: mention ? `<@${mention}> ${p.content}`.slice(0, 2000) : p.content,
      components: p.components,
      // Agent text must never ping @everyone or roles; only the user a late result is for.
      allowed_mentions: allowedMentions(mention),
    };
    const files = p.file ? [{ name: p.file.name, data: await readFile(p.file.path) }] : undefined;
    const sent = (await this.env.rest.post(Routes.channelMessages(this.channelId), {
      body,
      ...(files ? { files } : {}),
    })) as { id: string };
    this.#shown.set(sent.id, body.content);
    return sent.id;
  }

  async send(message: OutMessage): Promise<SentRef> {
    let id = '';
    for (const [i, p] of payloads(message, this.#lang).entries())
      id = await this.post(p, i === 0 ? this.mentionUserId : undefined);
    return { id };
  }

  async edit(ref: SentRef, message: OutMessage): Promise<void> {
    const id = this.#replaced.get(ref.id) ?? ref.id;
    const content = clip(message.text);
    const components = buttonRow(message.buttons, langFor(message.text, this.#lang));
    const shown = content + JSON.stringify(components);
    // Nothing left to show (control characters only): keep what the message says rather than fail.
    if (this.#shown.get(id) === shown || !content.trim()) return;
    try {
      await this.env.rest.patch(Routes.channelMessage(this.channelId, id), {
        body: { content, components, allowed_mentions: allowedMentions() },
      });
      this.#shown.set(id, shown);
    } catch (err) {
      // Deleted, or not ours to edit (an interaction reply after its token died): post anew, edit that.
      if (!isApiError(err, 10008, 50005)) throw err;
      const sent = await this.send(message);
      this.#replaced.set(ref.id, sent.id);
    }
  }

  async sendVideo(video: VideoOut): Promise<void> {
    const list = await videoPayload(video, this.videoLimitBytes, this.#lang);
    for (const [i, p] of list.entries()) {
      try {
        await this.post(p, i === 0 ? this.mentionUserId : undefined);
      } catch (err) {
        // The server may enforce a lower limit than the one we were told: fall back to the link.
        if (!p.file || !isApiError(err, 40005)) throw err;
        const { path: _file, ...link } = video;
        await this.sendVideo({ ...link, size: video.size ?? this.videoLimitBytes + 1 });
        return;
      }
    }
  }

  async activity(): Promise<void> {
    try {
      await this.env.rest.post(Routes.channelTyping(this.channelId));
    } catch (err) {
      this.env.logger.debug({ address: this.address, err: (err as Error).message }, 'typing failed');
    }
  }
}
