import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { ChatAddress, ChatPort, OutMessage, Recipient, SentRef, VideoOut } from '../../core/ports.ts';
import {
  type ChannelPort,
  isApiError,
  type Payload,
  type PortEnv,
  payloads,
  videoPayload,
} from './channel-port.ts';
import { sendDirect } from './direct.ts';
import { allowedMentions, buttonRow, clip, DEFAULT_FILE_LIMIT } from './encode.ts';

// The ChatPort for one interaction, after deferReply: the first message fills the deferred reply, later
// ones are follow-ups, edits edit them (progress on one message). Once the interaction token is dead
// (15 minutes, or Discord says so), everything goes to the channel as a normal message mentioning the user.

type Where = { via: 'original' } | { via: 'followup'; id: string } | { via: 'channel'; id: string };

export class InteractionPort implements ChatPort {
  readonly address: ChatAddress;
  readonly videoLimitBytes: number;
  #originalUsed = false;
  #refs = new Map<string, Where>();
  #shown = new Map<string, string>();
  #dead = false;

  constructor(
    private readonly interaction: RepliableInteraction,
    private readonly channel: ChannelPort,
    private readonly env: PortEnv & { ttlMs: number; now: () => number },
  ) {
    this.address = channel.address;
    this.videoLimitBytes = interaction.attachmentSizeLimit ?? DEFAULT_FILE_LIMIT;
  }

  /** The token is treated as dead a little before Discord kills it, so a slow upload cannot straddle it. */
  get expired(): boolean {
    if (this.#dead) return true;
    const margin = Math.min(60_000, this.env.ttlMs / 10);
    return this.env.now() - this.interaction.createdTimestamp >= this.env.ttlMs - margin;
  }

  #markDead(err: unknown): boolean {
    if (!isApiError(err, 50027, 10015, 10062)) return false;
    this.#dead = true;
    this.env.logger.info({ address: this.address }, 'interaction token expired; posting to the channel');
    return true;
  }

  async #post(p: Payload): Promise<string> {
    if (!this.expired) {
      try {
        return await this.#postWebhook(p);
      } catch (err) {
        if (!this.#markDead(err)) throw err;
      }
    }
    const id = await this.channel.post(p, this.interaction.user.id);
    this.#refs.set(id, { via: 'channel', id });
    return id;
  }

  async #postWebhook(p: Payload): Promise<string> {
    const body = {
      content: p.content,
      components: p.components as never[],
      allowedMentions: allowedMentions(),
      ...(p.file ? { files: [{ attachment: p.file.path, name: p.file.name }] } : {}),
    };
    const i = this.interaction;
    if (!this.#originalUsed) {
      this.#originalUsed = true;
      if (!p.ephemeral) {
        const m = await i.editReply(body);
        this.#refs.set(m.id, { via: 'original' });
        return m.id;
      }
      // The deferred reply is public: a private message cannot fill it, so it goes as an ephemeral
      // follow-up and the "thinking…" placeholder is removed.
      const m = await i.followUp({ ...body, flags: MessageFlags.Ephemeral });
      await i.deleteReply().catch(() => {});
      this.#refs.set(m.id, { via: 'followup', id: m.id });
      return m.id;
    }
    const m = await i.followUp({ ...body, ...(p.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
    this.#refs.set(m.id, { via: 'followup', id: m.id });
    return m.id;
  }

  async send(message: OutMessage): Promise<SentRef> {
    let id = '';
    for (const p of payloads(message)) id = await this.#post(p);
    return { id };
  }

  /**
   * Ephemeral while the interaction lives (only its user sees it); once its token is dead, never the channel
   * (that is public) but a DM.
   */
  async sendPrivate(to: Recipient, message: OutMessage): Promise<SentRef | undefined> {
    if (!this.expired && to.id === this.interaction.user.id) {
      try {
        let id = '';
        for (const p of payloads({ ...message, ephemeral: true })) id = await this.#postWebhook(p);
        return { id };
      } catch (err) {
        if (!this.#markDead(err)) throw err;
      }
    }
    return sendDirect(this.env, to, message);
  }

  async edit(ref: SentRef, message: OutMessage): Promise<void> {
    const where = this.#refs.get(ref.id);
    if (!where) return this.channel.edit(ref, message);
    if (where.via === 'channel') return this.channel.edit({ id: where.id }, message);
    const content = clip(message.text);
    const components = buttonRow(message.buttons, message.lang ?? 'en') as never[];
    const shown = content + JSON.stringify(components);
    if (this.#shown.get(ref.id) === shown || !content.trim()) return;
    if (!this.expired) {
      try {
        await this.interaction.editReply({
          content,
          components,
          allowedMentions: allowedMentions(),
          ...(where.via === 'followup' ? { message: where.id } : {}),
        });
        this.#shown.set(ref.id, shown);
        return;
      } catch (err) {
        if (!this.#markDead(err)) throw err;
      }
    }
    // The message can no longer be edited: post the new text to the channel and edit that from now on.
    const id = await this.channel.post(payloads(message).at(-1) as Payload, this.interaction.user.id);
    this.#refs.set(ref.id, { via: 'channel', id });
  }

  async sendVideo(video: VideoOut): Promise<void> {
    // A webhook message takes no nonce: a video that may be posted again after a crash goes to the channel,
    // where Discord drops the repeat (ChannelPort.sendVideo), mentioning the user who asked.
    if (video.key !== undefined) return this.channel.sendVideo(video, this.interaction.user.id);
    const list = await videoPayload(video, this.videoLimitBytes);
    for (const p of list) {
      try {
        await this.#post(p);
      } catch (err) {
        if (!p.file || !isApiError(err, 40005)) throw err;
        const { path: _file, ...link } = video;
        await this.sendVideo({ ...link, size: video.size ?? this.videoLimitBytes + 1 });
        return;
      }
    }
  }

  async activity(kind: 'typing' | 'upload_video'): Promise<void> {
    // The deferred reply already shows "thinking…" while the original is unused.
    if (this.#originalUsed || this.expired) await this.channel.activity();
    void kind;
  }
}
