import type {
  BaseInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Attachment as DjsAttachment,
  Message,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
} from 'discord.js';
import { PermissionFlagsBits, type PermissionsBitField } from 'discord.js';
import { pressCommand } from '../../core/buttons.ts';
import {
  type Attachment,
  type ChatAddress,
  COMMAND_NAMES,
  type InboundMessage,
  type Sender,
} from '../../core/ports.ts';
import { SETTING_OPTIONS } from '../../i18n/loop-commands.ts';
import { argOption, FILE_OPTIONS, subcommandArg, TOKEN_INPUT } from './commands.ts';
import { messageCommandInbound } from './context-menu.ts';
import { formatAddress, pressOf } from './encode.ts';

// Discord events → the core's InboundMessage: facts only (locale, admin rights, attachments by their CDN URL,
// public and signed, with a streaming fallback). The core refuses files it cannot take and words every reply.

interface ChannelLike {
  id: string;
  isThread?(): boolean;
  parentId?: string | null;
}

/** One session per channel; a thread is its own chat, addressed under its parent. */
export function addressOf(channelId: string, channel?: ChannelLike | null): ChatAddress {
  if (channel?.isThread?.() && channel.parentId)
    return formatAddress({ channelId: channel.parentId, threadId: channel.id });
  return formatAddress({ channelId });
}

export function mentionsOf(botId: string): string[] {
  return [`<@${botId}>`, `<@!${botId}>`];
}

/** In a server, chat-wide settings need Manage Server or Manage Channels; in a DM the user owns the chat. */
function adminCheck(inGuild: boolean, perms: Readonly<PermissionsBitField> | null | undefined) {
  const admin =
    !inGuild ||
    Boolean(perms?.has(PermissionFlagsBits.ManageGuild) || perms?.has(PermissionFlagsBits.ManageChannels));
  // Discord sends the permissions with the event: nothing to ask later.
  return async () => admin;
}

/** Role ids of a member: an API member (interactions) lists them, a cached GuildMember keeps them too. */
function rolesOf(member: unknown): string[] {
  const m = member as { roles?: unknown; _roles?: unknown } | null | undefined;
  if (Array.isArray(m?.roles)) return m.roles.filter((r): r is string => typeof r === 'string');
  return Array.isArray(m?._roles) ? m._roles.filter((r): r is string => typeof r === 'string') : [];
}

function senderOf(i: BaseInteraction): Sender {
  const roles = rolesOf(i.member);
  return {
    id: i.user.id,
    displayName: i.user.globalName ?? i.user.username,
    locale: i.locale,
    isAdmin: adminCheck(i.inGuild(), i.memberPermissions),
    ...(roles.length ? { roles } : {}),
  };
}

export function toAttachment(a: DjsAttachment): Attachment {
  const url = a.url;
  return {
    name: a.name,
    ...(a.contentType ? { mimeType: a.contentType } : {}),
    size: a.size,
    url,
    open: async (signal) => {
      const res = await fetch(url, { signal });
      if (!res.ok || !res.body) throw new Error(`Discord CDN answered ${res.status}`);
      return res.body as ReadableStream<Uint8Array>;
    },
  };
}

function base(i: BaseInteraction, botId: string) {
  return {
    address: addressOf(i.channelId ?? '', i.channel as ChannelLike | null),
    platform: 'discord' as const,
    sender: senderOf(i),
    botMentions: mentionsOf(botId),
    messageId: i.id,
    ...(i.guildId ? { serverId: i.guildId } : {}),
  };
}

export function commandInbound(i: ChatInputCommandInteraction, botId: string): InboundMessage {
  const attachments = FILE_OPTIONS.map((n) => i.options.getAttachment(n))
    .filter((a): a is DjsAttachment => a !== null)
    .map(toAttachment);
  if (i.commandName === 'video') {
    return { ...base(i, botId), text: i.options.getString('prompt') ?? '', attachments };
  }
  const name = COMMAND_NAMES.find((c) => c === i.commandName) ?? 'help';
  const option = argOption(name);
  const value = option ? i.options.get(option)?.value : undefined;
  const arg =
    name === 'settings'
      ? settingsArg(i)
      : option
        ? value === undefined
          ? undefined
          : String(value)
        : subcommandArg(name, i.options);
  return {
    ...base(i, botId),
    text: `/${i.commandName}${arg ? ` ${arg}` : ''}`,
    attachments,
    command: arg ? { name, arg } : { name },
  };
}

/** /settings' options as the lines of `/settings <key> <value>` (the core checks every value). */
function settingsArg(i: ChatInputCommandInteraction): string | undefined {
  // Notes last: they take the rest of the text (src/core/settings.ts).
  const ordered = [...SETTING_OPTIONS].sort(
    (a, b) => Number(a.name === 'notes') - Number(b.name === 'notes'),
  );
  const lines = ordered.flatMap((o) => {
    const v = i.options.get(o.name)?.value;
    if (v === undefined || v === false) return [];
    return [o.kind === 'boolean' ? o.name : `${o.name} ${String(v)}`];
  });
  return lines.length ? lines.join('\n') : undefined;
}

/** A press of one of our buttons (or a modal sent back: `text`); undefined for another app's. */
export function pressInbound(
  i: ButtonInteraction | ModalSubmitInteraction,
  botId: string,
  text?: string,
): InboundMessage | undefined {
  const press = pressOf(i.customId);
  if (!press) return undefined;
  const command = text === undefined ? pressCommand(press) : undefined;
  if (command) return { ...base(i, botId), text: `/${command}`, attachments: [], command: { name: command } };
  return {
    ...base(i, botId),
    text: '',
    attachments: [],
    press: text === undefined ? press : { ...press, text },
  };
}

/** A long brief typed into the /video modal: the user's own prompt. */
export function briefInbound(i: ModalSubmitInteraction, botId: string, text: string): InboundMessage {
  return { ...base(i, botId), text, attachments: [] };
}

/** "Make a video from this" on a message: its text and files. */
export function targetInbound(i: MessageContextMenuCommandInteraction, botId: string): InboundMessage {
  return messageCommandInbound(i, base(i, botId), toAttachment);
}

/** The /token modal's answer: the token, seen by nobody but its sender. */
export function modalInbound(i: ModalSubmitInteraction, botId: string): InboundMessage {
  const token = i.fields.getTextInputValue(TOKEN_INPUT).trim();
  return {
    ...base(i, botId),
    text: '/token',
    attachments: [],
    command: { name: 'token', arg: token },
    concealed: true,
  };
}

export function messageInbound(m: Message, botId: string): InboundMessage {
  const roles = rolesOf(m.member);
  return {
    address: addressOf(m.channelId, m.channel as ChannelLike),
    platform: 'discord',
    sender: {
      id: m.author.id,
      displayName: m.author.globalName ?? m.author.username,
      // Messages carry no locale: the core goes by the text.
      isAdmin: adminCheck(m.inGuild(), m.member?.permissions),
      ...(roles.length ? { roles } : {}),
    },
    ...(m.guildId ? { serverId: m.guildId } : {}),
    text: m.content,
    attachments: [...m.attachments.values()].map(toAttachment),
    botMentions: mentionsOf(botId),
    messageId: m.id,
  };
}
