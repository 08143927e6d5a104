import type { Attachment as DjsAttachment, MessageContextMenuCommandInteraction } from 'discord.js';
import type { InboundMessage } from '../../core/ports.ts';
import { MESSAGE_COMMAND } from '../../i18n/loop-commands.ts';

// "Make a video from this": a message context-menu command (application command type 3). Its interaction
// carries the chosen message in `data.resolved.messages`; that message's text and files are the brief, and the
// request then runs as if the user had typed it. Only the definition's shape and the decoding live here.

const MESSAGE = 3;

/** The command definition (registered with the slash commands; message commands have no description). */
export function messageCommand(contexts: number[], integrationTypes: number[]) {
  return {
    type: MESSAGE,
    name: MESSAGE_COMMAND.en,
    name_localizations: { 'zh-CN': MESSAGE_COMMAND.zh },
    contexts,
    integration_types: integrationTypes,
  };
}

export const isMessageCommand = (name: string): boolean => name === MESSAGE_COMMAND.en;

/** The brief a message command carries: the target message's text and attachments, on top of `base`. */
export function messageCommandInbound(
  i: MessageContextMenuCommandInteraction,
  base: Omit<InboundMessage, 'text' | 'attachments'>,
  toAttachment: (a: DjsAttachment) => InboundMessage['attachments'][number],
): InboundMessage {
  const target = i.targetMessage;
  return {
    ...base,
    text: target.content ?? '',
    attachments: [...target.attachments.values()].map(toAttachment),
  };
}
