import type {
  BaseInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Attachment as DjsAttachment,
  Message,
} from 'discord.js';
import { PermissionFlagsBits } from 'discord.js';
import type { Attachment, ChatAddress, CommandName, InboundMessage, Lang, Sender } from '../../core/ports.ts';
import { formatOf } from '../../nemo/formats.ts';
import { TEXTS } from './commands.ts';
import { buttonAction, formatAddress } from './encode.ts';

// Discord events → the core's InboundMessage. Attachments are checked here (type, size) so a refusal comes
// before any backend work, and are passed on by their CDN URL (public, signed) with a streaming fallback.

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

function senderOf(i: BaseInteraction): Sender {
  const perms = i.memberPermissions;
  // In a server, chat-wide settings need Manage Server or Manage Channels; in a DM the user owns the chat.
  const isAdmin =
    !i.inGuild() ||
    Boolean(perms?.has(PermissionFlagsBits.ManageGuild) || perms?.has(PermissionFlagsBits.ManageChannels));
  return {
    id: i.user.id,
    displayName: i.user.globalName ?? i.user.username,
    locale: i.locale,
    isAdmin,
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

/** The refusal for the first attachment the backend cannot take, or undefined when all are fine. */
export function attachmentProblem(list: Attachment[], maxMb: number, lang: Lang): string | undefined {
  for (const a of list) {
    // The same rule as the core's (extension, else MIME type), so the core never refuses what passed here.
    const format = formatOf(a);
    if (!format) return TEXTS[lang].unsupported(a.name);
    if (a.size !== undefined && a.size > maxMb * 1024 * 1024)
      return TEXTS[lang].tooBig(a.name, a.size, maxMb);
  }
  return undefined;
}

const COMMANDS: Record<string, CommandName | undefined> = {
  upload: 'upload',
  export: 'export',
  credits: 'credits',
  status: 'status',
  cancel: 'cancel',
  reset: 'reset',
  lang: 'lang',
  help: 'help',
  start: 'start',
};

function base(i: BaseInteraction, botId: string) {
  return {
    address: addressOf(i.channelId ?? '', i.channel as ChannelLike | null),
    platform: 'discord' as const,
    sender: senderOf(i),
    botMentions: mentionsOf(botId),
    messageId: i.id,
  };
}

export function commandInbound(i: ChatInputCommandInteraction, botId: string): InboundMessage {
  const attachments = ['file', 'file2', 'file3']
    .map((n) => i.options.getAttachment(n))
    .filter((a): a is DjsAttachment => a !== null)
    .map(toAttachment);
  if (i.commandName === 'video') {
    return { ...base(i, botId), text: i.options.getString('prompt') ?? '', attachments };
  }
  const name = COMMANDS[i.commandName] ?? 'help';
  const arg = i.commandName === 'lang' ? (i.options.getString('language') ?? undefined) : undefined;
  return {
    ...base(i, botId),
    text: `/${i.commandName}${arg ? ` ${arg}` : ''}`,
    attachments,
    command: arg ? { name, arg } : { name },
  };
}

export function buttonInbound(i: ButtonInteraction, botId: string): InboundMessage | undefined {
  const action = buttonAction(i.customId);
  if (!action) return undefined;
  return { ...base(i, botId), text: `/${action}`, attachments: [], command: { name: action } };
}

export function messageInbound(m: Message, botId: string): InboundMessage {
  return {
    address: addressOf(m.channelId, m.channel as ChannelLike),
    platform: 'discord',
    sender: {
      id: m.author.id,
      displayName: m.author.globalName ?? m.author.username,
      // Messages carry no locale; a DM is the user's own chat.
      isAdmin:
        !m.inGuild() ||
        Boolean(
          m.member?.permissions.has(PermissionFlagsBits.ManageGuild) ||
            m.member?.permissions.has(PermissionFlagsBits.ManageChannels),
        ),
    },
    text: m.content,
    attachments: [...m.attachments.values()].map(toAttachment),
    botMentions: mentionsOf(botId),
    messageId: m.id,
  };
}
