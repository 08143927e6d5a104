// Private delivery: the core decides what is for the asker only (a claim link, token trouble), adapters
// deliver it (a DM, an ephemeral reply). When the asker cannot be reached privately, the chat is told where to
// get it — never the private text itself.

import { messages } from '../i18n/index.ts';
import type { ChatPort, InboundMessage, OutMessage, SentRef } from './ports.ts';

/**
 * The chat as one message's work sees it: a private message goes to that message's sender through
 * `sendPrivate`; everything else is the chat's own. Resumed jobs have no sender and use the bare port: the one
 * private message they can say (token trouble during a resumed export) names no secret and goes to the chat.
 */
export function withSender(chat: ChatPort, msg: Pick<InboundMessage, 'sender' | 'botMentions'>): ChatPort {
  const { sender } = msg;
  // The handle people can type to find the bot (`@NemoVideoBot`); Discord's `<@id>` shows as the bot's name.
  const bot = msg.botMentions?.[0];
  return {
    get address() {
      return chat.address;
    },
    get videoLimitBytes() {
      return chat.videoLimitBytes;
    },
    async send(message: OutMessage): Promise<SentRef> {
      if (!message.private) return chat.send(message);
      const sent = await chat.sendPrivate(sender, message);
      if (sent) return sent;
      const m = messages(message.lang ?? 'en');
      return chat.send({ text: m.privateUnreachable(bot, message.again), ...lang(message) });
    },
    edit: (ref, message) => chat.edit(ref, message),
    sendVideo: (video) => chat.sendVideo(video),
    ...(chat.activity ? { activity: (kind) => chat.activity!(kind) } : {}),
    sendPrivate: (to, message) => chat.sendPrivate(to, message),
  };
}

const lang = (m: OutMessage): Pick<OutMessage, 'lang'> => (m.lang ? { lang: m.lang } : {});
