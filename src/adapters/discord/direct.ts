import { type REST, Routes } from 'discord.js';
import type { OutMessage, Recipient, SentRef } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { isApiError, payloads } from './channel-port.ts';
import { allowedMentions } from './encode.ts';

// A direct message to one user through REST: open (or find) the DM channel, then post there. Discord refuses
// with 50007 when the user does not take DMs from this bot (closed DMs, no shared server, blocked): the core
// then says in the chat where to get the answer instead.

/** Discord's "Cannot send messages to this user" and "Unknown User". */
const UNREACHABLE = [50007, 10013];

export async function sendDirect(
  env: { rest: REST; logger: Logger },
  to: Recipient,
  message: OutMessage,
): Promise<SentRef | undefined> {
  // A snowflake, never a name: anything else is not a user this bot can open a DM with.
  if (!/^\d{5,20}$/.test(to.id)) return undefined;
  try {
    const dm = (await env.rest.post(Routes.userChannels(), { body: { recipient_id: to.id } })) as {
      id: string;
    };
    let id = '';
    for (const p of payloads({ ...message, private: false, ephemeral: false })) {
      const body = { content: p.content, components: p.components, allowed_mentions: allowedMentions() };
      id = ((await env.rest.post(Routes.channelMessages(dm.id), { body })) as { id: string }).id;
    }
    return { id };
  } catch (err) {
    if (!isApiError(err, ...UNREACHABLE)) throw err;
    env.logger.info({ code: err.code }, 'discord: the user takes no direct messages from the bot');
    return undefined;
  }
}
