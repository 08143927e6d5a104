// Who a message comes from and where, in the ids the lists and quotas use (spec.ts): the sender `tg:123`, the
// chat `tg-chat:-100…` (forum topics and Discord threads belong to their group or channel), the sender's
// Discord roles and server. Facts come from the adapter (Sender, InboundMessage); nothing is asked here.

import type { ChatAddress, InboundMessage, Platform, Sender } from '../ports.ts';

const PREFIX: Record<Platform, string> = { telegram: 'tg', discord: 'dc', terminal: 'term' };

export interface Who {
  /** `tg:123`, `dc:456`, `term:local`. */
  user: string;
  name: string;
  /** `tg-chat:-100…`, `dc-chat:…`, `term-chat:local`. */
  chat: string;
  address: ChatAddress;
  platform: Platform;
  /** A one-to-one chat with the bot (a Telegram private chat, a Discord DM, the terminal). */
  private: boolean;
  /** Every id that may name this sender in a list: the user, their Discord roles and server. */
  principals: string[];
  sender: Sender;
}

/** The chat id of an address: its first segment (a forum topic or a thread belongs to its chat). */
export function chatOf(address: ChatAddress): string {
  const [prefix = '', id = ''] = address.split(':');
  return `${prefix}-chat:${id}`;
}

export function whoOf(msg: InboundMessage): Who {
  const prefix = PREFIX[msg.platform];
  const user = `${prefix}:${msg.sender.id}`;
  const roles = (msg.sender.roles ?? []).map((r) => `dc-role:${r}`);
  const server = msg.serverId ? [`dc-guild:${msg.serverId}`] : [];
  const chatId = msg.address.split(':')[1] ?? '';
  const isPrivate =
    msg.platform === 'terminal' ||
    (msg.platform === 'telegram' && !chatId.startsWith('-')) ||
    (msg.platform === 'discord' && !msg.serverId);
  return {
    user,
    name: msg.sender.displayName,
    chat: chatOf(msg.address),
    address: msg.address,
    platform: msg.platform,
    private: isPrivate,
    principals: [user, ...roles, ...server],
    sender: msg.sender,
  };
}

/** Asks the platform whether the sender administers this chat; a failed check counts as no. */
export async function isChatAdmin(who: Who): Promise<boolean> {
  try {
    return await who.sender.isAdmin();
  } catch {
    return false;
  }
}
