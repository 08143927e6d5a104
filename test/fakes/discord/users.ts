import type { KeyObject } from 'node:crypto';
import type { Gateway } from './gateway.ts';
import { Intents } from './gateway.ts';
import { deliverOverHttp } from './interactions.ts';
import {
  channelPayload,
  dmChannelId,
  dmChannelPayload,
  memberPayload,
  messagePayload,
  snowflake,
  userPayload,
} from './payloads.ts';
import type { DiscordState } from './state.ts';
import type { Ctx, FakeInteraction, FakeMessage, FakeUser, UploadedAttachment } from './types.ts';

// The test's hands: act as a Discord user (slash commands, button presses, messages, uploads to the CDN)
// and wait for what the bot does.

export type OptionValue = string | number | boolean | UploadedAttachment;
export type ActAs = Ctx;

export const ALICE: FakeUser = { id: '400000000000000001', username: 'alice', globalName: 'Alice' };
const ALL_PERMISSIONS = (1n << 50n) - 1n;

export class UserActions {
  constructor(
    protected readonly state: DiscordState,
    private readonly gw: Gateway,
    private readonly base: () => string,
    private readonly signingKey: () => KeyObject,
  ) {}

  /** Over the gateway, or a signed POST to the Interactions Endpoint URL when one is set. */
  #deliver(record: FakeInteraction, payload: object): void {
    const url = this.state.options.interactionsUrl;
    if (!url) {
      this.gw.dispatch('INTERACTION_CREATE', payload);
      return;
    }
    const delivery = deliverOverHttp(this.state, url, this.signingKey(), record, payload).finally(() =>
      this.state.inFlight.delete(record.token),
    );
    this.state.inFlight.set(record.token, delivery);
  }

  /** Puts bytes on the CDN, as Discord does when a user attaches a file. */
  upload(filename: string, bytes: Buffer, contentType: string): UploadedAttachment {
    const id = snowflake();
    const path = `/cdn/attachments/${id}/${encodeURIComponent(filename)}`;
    this.state.cdn.set(path, { name: filename, contentType, bytes });
    // Real CDN links are signed with an expiry; the query only makes the URL look alike.
    return { id, filename, size: bytes.length, contentType, url: `${this.base()}${path}?ex=1&is=1&hm=0` };
  }

  #where(ctx: Ctx) {
    const user = ctx.user ?? ALICE;
    this.state.users.set(user.id, user);
    if (ctx.dm) {
      const channelId = dmChannelId(user.id);
      this.state.dms.set(channelId, user);
      return { user, channelId, guildId: undefined, channel: dmChannelPayload(channelId, user) };
    }
    const guild = this.state.options.guilds[0];
    const channelId = ctx.channel ?? guild?.channels[0]?.id ?? '';
    const found = this.state.channel(channelId);
    if (!found) throw new Error(`fake Discord: unknown channel ${channelId}`);
    return { user, channelId, guildId: found.guildId, channel: channelPayload(found.channel, found.guildId) };
  }

  #interaction(kind: FakeInteraction['kind'], name: string, type: number, data: object, ctx: Ctx) {
    const { user, channelId, guildId, channel } = this.#where(ctx);
    const record: FakeInteraction = {
      id: snowflake(),
      token: `aW50ZXJhY3Rpb246${snowflake()}${Math.random().toString(36).slice(2)}`,
      kind,
      name,
      channelId,
      userId: user.id,
      dispatchedAt: Date.now(),
    };
    this.state.interactions.set(record.id, record);
    const payload = {
      id: record.id,
      application_id: this.state.options.applicationId,
      type,
      token: record.token,
      version: 1,
      data,
      channel,
      channel_id: channelId,
      locale: ctx.locale ?? 'en-US',
      app_permissions: ALL_PERMISSIONS.toString(),
      entitlements: [],
      attachment_size_limit: this.state.options.attachmentSizeLimit,
      ...(guildId
        ? {
            guild_id: guildId,
            guild_locale: 'en-US',
            member: memberPayload(user, ctx.permissions ?? 0n),
            authorizing_integration_owners: { '0': guildId },
            context: 0,
          }
        : { user: userPayload(user), authorizing_integration_owners: { '1': user.id }, context: 1 }),
    };
    return { record, payload };
  }

  /** Runs a slash command as a user. Attachment options are uploaded files (see `upload`). */
  slash(name: string, options: Record<string, OptionValue> = {}, ctx: Ctx = {}): FakeInteraction {
    const opts: object[] = [];
    const attachments: Record<string, object> = {};
    for (const [key, value] of Object.entries(options)) {
      if (typeof value === 'object') {
        opts.push({ name: key, type: 11, value: value.id });
        attachments[value.id] = {
          id: value.id,
          filename: value.filename,
          size: value.size,
          url: value.url,
          proxy_url: value.url,
          content_type: value.contentType,
        };
      } else {
        const type = typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : 10;
        opts.push({ name: key, type, value });
      }
    }
    const command = [...this.state.commands.values()]
      .flat()
      .find((c) => (c as { name?: string }).name === name) as { id?: string } | undefined;
    const data = {
      id: command?.id ?? snowflake(),
      name,
      type: 1,
      options: opts,
      ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
    };
    const { record, payload } = this.#interaction('command', name, 2, data, ctx);
    this.#deliver(record, payload);
    return record;
  }

  /** Presses a button under one of the bot's messages. */
  press(customId: string, message: FakeMessage, ctx: Ctx = {}): FakeInteraction {
    const where = { ...ctx, ...(this.state.dms.has(message.channelId) ? { dm: true } : {}) };
    if (!where.dm) where.channel = message.channelId;
    const data = { custom_id: customId, component_type: 2 };
    const { record, payload } = this.#interaction('button', customId, 3, data, where);
    record.originalId = message.id;
    const guildId = this.state.guildOf(message.channelId);
    this.#deliver(record, {
      ...payload,
      message: messagePayload(message, this.state.options.bot, guildId),
    });
    return record;
  }

  /**
   * Posts a message as a user. Like Discord, the bot only receives it with the matching intents, and its
   * content and attachments are empty unless it is a DM, it mentions the bot, or the bot has MessageContent.
   * Returns the message id, or undefined when the bot's intents do not let it see the message.
   */
  message(
    content: string,
    opts: Ctx & { mentionsBot?: boolean; attachments?: UploadedAttachment[] } = {},
  ): string | undefined {
    const { user, channelId, guildId } = this.#where(opts);
    const intents = this.gw.intents();
    const needed = guildId ? Intents.GuildMessages : Intents.DirectMessages;
    if ((intents & needed) === 0) return undefined;
    const bot = this.state.options.bot;
    const text = opts.mentionsBot ? `<@${bot.id}> ${content}` : content;
    const visible = !guildId || opts.mentionsBot || (intents & Intents.MessageContent) !== 0;
    const id = snowflake();
    this.gw.dispatch('MESSAGE_CREATE', {
      id,
      type: 0,
      channel_id: channelId,
      ...(guildId ? { guild_id: guildId, member: memberPayload(user, opts.permissions ?? 0n) } : {}),
      channel_type: guildId ? (this.state.channel(channelId)?.channel.type ?? 0) : 1,
      author: userPayload(user),
      content: visible ? text : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: opts.mentionsBot ? [userPayload(bot)] : [],
      mention_roles: [],
      attachments: visible
        ? (opts.attachments ?? []).map((a) => ({
            id: a.id,
            filename: a.filename,
            size: a.size,
            url: a.url,
            proxy_url: a.url,
            content_type: a.contentType,
          }))
        : [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
    });
    return id;
  }

  /** Messages answering an interaction (the original reply first, then follow-ups). */
  repliesTo(interaction: FakeInteraction): FakeMessage[] {
    return this.state.messagesIn().filter((m) => m.interactionId === interaction.id);
  }

  /** Messages the bot posted in a channel through the channel route (not interaction replies). */
  channelMessages(channelId: string): FakeMessage[] {
    return this.state.messagesIn(channelId).filter((m) => !m.interactionId);
  }

  /** Resolves with the predicate's first truthy value; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake Discord: waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(check, 25);
      const off = this.state.onChange(check);
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        off();
      };
      check();
    });
  }
}
