import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DiscordAPIError, type REST, Routes } from 'discord.js';
import type { ChatAddress, ChatPort, OutMessage, Recipient, SentRef, VideoOut } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { sendDirect } from './direct.ts';
import { allowedMentions, buttonRow, clip, type DcTarget, postChannel, splitText } from './encode.ts';

// The ChatPort for a channel, through plain REST: DMs and mentions, results that outlive an interaction
// token (then mentioning the user), and jobs resumed after a restart. 429s wait in @discordjs/rest's queue.
// It renders what the core gives it: texts, the language of button labels and the link notice of a video.

export interface PortEnv {
  rest: REST;
  logger: Logger;
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

/** Splits a message into payloads: buttons go under the last part. */
export function payloads(message: OutMessage): Payload[] {
  const parts = splitText(message.text);
  const rows = buttonRow(message.buttons, message.lang ?? 'en');
  return parts.map((content, i) => ({
    content,
    components: i === parts.length - 1 ? rows : [],
    ...(message.private || message.ephemeral ? { ephemeral: true } : {}),
  }));
}

/** The payloads that post a video: the file with its caption when it fits `limit`, else the core's link notice. */
export async function videoPayload(video: VideoOut, limit: number): Promise<Payload[]> {
  const size = video.path ? (video.size ?? (await stat(video.path)).size) : undefined;
  if (video.path && size !== undefined && size <= limit) {
    const [first, ...rest] = splitText(video.caption ?? '');
    return [
      { content: first ?? '', components: [], file: { path: video.path, name: basename(video.path) } },
      ...rest.map((content) => ({ content, components: [] })),
    ];
  }
  return payloads({ text: `${video.linkText}\n${video.url}` });
}

/** Discord's nonce: at most 25 characters; the same for every attempt to post one part of one video. */
export function videoNonce(key: string, kind: 'file' | 'link', part: number): string {
  return createHash('sha256').update(`${key}:${kind}:${part}`).digest('base64url').slice(0, 25);
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

  /** Posts one message; with a `nonce`, Discord returns the earlier message of that nonce instead of a second. */
  async post(p: Payload, mention = this.mentionUserId, nonce?: string): Promise<string> {
    const body = {
      content: mention ? `<@${mention}> ${p.content}`.slice(0, 2000) : p.content,
      components: p.components,
      // Agent text must never ping @everyone or roles; only the user a late result is for.
      allowed_mentions: allowedMentions(mention),
      ...(nonce !== undefined ? { nonce, enforce_nonce: true } : {}),
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
    for (const [i, p] of payloads(message).entries())
      id = await this.post(p, i === 0 ? this.mentionUserId : undefined);
    return { id };
  }

  /** A channel message is public (an @mention reply, a late result): a private one goes as a DM. */
  sendPrivate(to: Recipient, message: OutMessage): Promise<SentRef | undefined> {
    return sendDirect(this.env, to, message);
  }

  async edit(ref: SentRef, message: OutMessage): Promise<void> {
    const id = this.#replaced.get(ref.id) ?? ref.id;
    const content = clip(message.text);
    const components = buttonRow(message.buttons, message.lang ?? 'en');
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

  /**
   * Posts a video (or its link). With `video.key` every part carries a nonce derived from it and
   * `enforce_nonce`: the core posts again after a crash what is not known to have arrived, and Discord then
   * returns the first message instead of posting a second copy (within its window of a few minutes).
   */
  async sendVideo(video: VideoOut, mention = this.mentionUserId): Promise<void> {
    const list = await videoPayload(video, this.videoLimitBytes);
    for (const [i, p] of list.entries()) {
      const nonce = video.key === undefined ? undefined : videoNonce(video.key, p.file ? 'file' : 'link', i);
      try {
        await this.post(p, i === 0 ? mention : undefined, nonce);
      } catch (err) {
        // The server may enforce a lower limit than the one we were told: fall back to the link.
        if (!p.file || !isApiError(err, 40005)) throw err;
        const { path: _file, ...link } = video;
        await this.sendVideo({ ...link, size: video.size ?? this.videoLimitBytes + 1 }, mention);
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
