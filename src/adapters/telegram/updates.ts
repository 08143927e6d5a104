import type { Api, Bot } from 'grammy';
import type { Message } from 'grammy/types';
import { pressCommand } from '../../core/buttons.ts';
import type { ChatPort, Engine, InboundMessage } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import type { StatePort } from '../../store/state.ts';
import { Albums } from './albums.ts';
import type { ChatPorts } from './chat-port.ts';
import {
  type AdminCheck,
  type BotIdentity,
  entitiesOf,
  fileOf,
  isForBot,
  parseCommand,
  senderOf,
  targetOf,
  textOf,
  toAddress,
  userSender,
} from './decode.ts';
import { pressOf } from './encode.ts';
import { downloadLimit, type MediaDeps, toAttachment } from './media.ts';

// Update handlers: each turns an update into an InboundMessage and starts the engine WITHOUT awaiting the
// turn (grammY handles updates one at a time; chat B must be answered while chat A's long turn runs). They
// pass facts (locale, file sizes and the download limit, an admin check); the core words every answer.

/** Telegram keeps undelivered updates for 24 hours; remember handled ids a little longer. */
const UPDATE_TTL_MS = 48 * 60 * 60 * 1000;

export interface InboundDeps {
  engine: Engine;
  state: StatePort;
  logger: Logger;
  api: Api;
  ports: ChatPorts;
  media: MediaDeps;
  me: BotIdentity;
  albumWaitMs: number;
}

export function installHandlers(bot: Bot, deps: InboundDeps): Albums {
  const { logger, me } = deps;
  const askAdmin: AdminCheck = (chatId, userId) => isChatAdmin(deps.api, chatId, userId, logger);
  const albums = new Albums(deps.albumWaitMs, (messages) => {
    try {
      handleMessages(messages, deps, askAdmin);
    } catch (err) {
      logger.error({ err }, 'telegram album failed');
    }
  });

  // A re-delivered update (crash before the offset was confirmed, webhook retry) is skipped.
  bot.use(async (ctx, next) => {
    const updateId = ctx.update.update_id;
    const first = await deps.state
      .setIfAbsent(`tg:update:${updateId}`, 1, UPDATE_TTL_MS)
      .catch((err: unknown) => {
        // A store outage must not silence the bot: handle the update (at worst twice).
        logger.warn({ updateId, err: (err as Error).message }, 'update dedupe unavailable');
        return true;
      });
    if (!first) {
      logger.info({ updateId }, 'telegram update already handled; skipped');
      return;
    }
    await next();
  });

  bot.on('callback_query:data', async (ctx) => {
    await ctx
      .answerCallbackQuery()
      .catch((err) => logger.debug({ err: (err as Error).message }, 'answerCallbackQuery failed'));
    // Self-describing data: a button under a message from before a restart still works. An unreadable one is
    // handed over too, so the core can say so in the user's language.
    const press = pressOf(ctx.callbackQuery.data);
    const command = pressCommand(press);
    const message = ctx.callbackQuery.message;
    if (!message) return;
    // An inaccessible (old) message has date 0 and no topic flags: reply in the chat itself.
    const target = message.date === 0 ? { chatId: message.chat.id } : targetOf(message as Message);
    const address = toAddress(target);
    const port = deps.ports.get(address)!;
    const sender = userSender(ctx.from, message.chat, askAdmin);
    start(deps, port, {
      address,
      platform: 'telegram',
      sender,
      text: '',
      attachments: [],
      ...(command ? { command: { name: command } } : { press }),
      botMentions: [`@${me.username}`],
      messageId: String(message.message_id),
    });
  });

  bot.on('message', async (ctx) => {
    if (ctx.message.media_group_id) albums.add(ctx.message);
    else handleMessages([ctx.message], deps, askAdmin);
  });

  return albums;
}

function handleMessages(messages: Message[], deps: InboundDeps, askAdmin: AdminCheck): void {
  const { me } = deps;
  const primary = messages.find((m) => textOf(m) !== '') ?? messages[0];
  if (!primary) return;
  if (!messages.some((m) => isForBot(m, me))) return;
  const text = textOf(primary);
  const command = parseCommand(text, entitiesOf(primary), me);
  if (command?.kind === 'foreign') return;
  // A file over getFile's limit still goes to the core (which refuses it in the chat's language); the photo
  // size picked is the largest within the limit.
  const limit = downloadLimit(deps.media.local);
  const files = messages.flatMap((m) => fileOf(m, limit) ?? []);
  if (files.length === 0 && text.trim() === '') return; // stickers, service messages, locations…

  const address = toAddress(targetOf(primary));
  const ours = command?.kind === 'ours' ? command : undefined;
  const replyToId = repliedTo(primary);
  start(deps, deps.ports.get(address)!, {
    address,
    platform: 'telegram',
    sender: senderOf(primary, askAdmin),
    text,
    attachments: files.map((f) => toAttachment(f, deps.media)),
    ...(ours ? { command: ours.arg ? { name: ours.name, arg: ours.arg } : { name: ours.name } } : {}),
    botMentions: [`@${me.username}`],
    messageId: String(primary.message_id),
    ...(replyToId ? { replyToId } : {}),
  });
}

/** The message this one answers (a reply to the bot's "reply with…" prompt); not a forum topic's root. */
function repliedTo(m: Message): string | undefined {
  const r = m.reply_to_message;
  return r && !r.forum_topic_created ? String(r.message_id) : undefined;
}

function start(deps: InboundDeps, port: ChatPort, message: InboundMessage): void {
  deps.logger.info(
    { address: message.address, command: message.command?.name, attachments: message.attachments.length },
    'telegram message',
  );
  // Not awaited on purpose (design.md decision 4). The engine never rejects; the catch is a safety net.
  void deps.engine.handle(message, port).catch((err) => deps.logger.error({ err }, 'engine.handle rejected'));
}

async function isChatAdmin(api: Api, chatId: number, userId: number, logger: Logger): Promise<boolean> {
  try {
    const member = await api.getChatMember(chatId, userId);
    return member.status === 'creator' || member.status === 'administrator';
  } catch (err) {
    logger.warn(
      { chatId, err: (err as Error).message },
      'getChatMember failed; treating the sender as a member',
    );
    return false;
  }
}
