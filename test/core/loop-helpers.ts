// Helpers for the everyday-loop tests: a recording chat that also records receipts (reactions), and
// messages as adapters hand them over (typed with a message id, a press, a reply to the bot's prompt).

import type { ButtonAction, InboundMessage, Press, Receipt } from '../../src/core/ports.ts';
import { type Posted, type RecordingChat, recordingChat } from './engine-harness.ts';

export interface LoopChat extends RecordingChat {
  readonly receipts: Array<{ messageId: string; receipt: Receipt }>;
}

export function loopChat(address = 'tg:777', videoLimitBytes = Number.POSITIVE_INFINITY): LoopChat {
  const chat = recordingChat(address, videoLimitBytes);
  const receipts: Array<{ messageId: string; receipt: Receipt }> = [];
  return Object.assign(chat, {
    receipts,
    async react(messageId: string, receipt: Receipt) {
      receipts.push({ messageId, receipt });
    },
  });
}

let nextId = 100;

export interface From {
  id?: string;
  name?: string;
  locale?: string;
  admin?: boolean;
}

function sender(from: From = {}): InboundMessage['sender'] {
  return {
    id: from.id ?? 'u1',
    displayName: from.name ?? 'Alice',
    isAdmin: async () => from.admin ?? true,
    ...(from.locale ? { locale: from.locale } : {}),
  };
}

/** A message the user typed (with its platform id, as Telegram gives it). */
export function typed(
  chat: { address: string },
  text: string,
  from: From = {},
  extra: Partial<InboundMessage> = {},
): InboundMessage {
  return {
    address: chat.address,
    platform: 'telegram',
    sender: sender(from),
    text,
    attachments: [],
    messageId: String(++nextId),
    ...extra,
  };
}

/** A press of a button, as the adapters decode it. */
export function press(chat: { address: string }, p: Press, from: From = {}): InboundMessage {
  return {
    address: chat.address,
    platform: 'telegram',
    sender: sender(from),
    text: '',
    attachments: [],
    press: p,
    messageId: String(++nextId),
  };
}

/** The last message carrying buttons, and the button of `action` on it. */
export function buttonOn(log: Posted[], action: ButtonAction): { action: ButtonAction; data?: string } {
  const withButtons = [...log].reverse().find((p) => p.raw?.some((b) => b.action === action));
  const b = withButtons?.raw?.find((x) => x.action === action);
  if (!b) throw new Error(`no ${action} button in:\n${log.map((p) => p.text).join('\n')}`);
  return b;
}
