import { randomUUID } from 'node:crypto';
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
/** Longest wait for the engine to accept an update before it is confirmed anyway (other chats wait meanwhile). */
const ACCEPT_WAIT_MS = 2_000;
/** A claim outlives its holder's longest wait; after a crash the next process takes it over this much later. */
const CLAIM_TTL_MS = ACCEPT_WAIT_MS + 2_000;
const CLAIM_POLL_MS = 200;
/** The handled mark (the value before claims existed: kept, so marks written by older versions still count). */
const HANDLED = 1;
/** Whose claims are this process's own. */
const OWNER = randomUUID();

// An update counts as handled only once the engine accepted it (its turn or export job recorded, queued, or
// answered). grammY confirms an update's offset with its next getUpdates, which it sends only after the
// middleware below returned: holding the update here until acceptance means a process killed before it leaves
// the update unconfirmed, and Telegram delivers it again to the next process. Marking it handled on arrival
// (as before) dropped that copy: an Export tap killed a few ms in was lost.
//
// Race-free: the update is first CLAIMED (set-if-absent, `{ by: OWNER }`, CLAIM_TTL_MS), then marked HANDLED
// (long ttl) once accepted. A copy arriving meanwhile (a webhook retry, another instance during a 409 overlap)
// finds the claim: this process's own → skipped; another's → waited for until it is marked handled (skipped)
// or lapses (its holder died before accepting: taken over). A claim is held at most ACCEPT_WAIT_MS plus a
// store write, so a live holder's never lapses first. The engine waits for the HANDLED write before the agent
// hears a message, so a re-delivered copy finds it and never sends it twice.

type Claim = 'mine' | 'handled';

async function claim(state: StatePort, key: string): Promise<Claim> {
  const deadline = Date.now() + 2 * CLAIM_TTL_MS;
  for (;;) {
    if (await state.setIfAbsent(key, { by: OWNER }, CLAIM_TTL_MS)) return 'mine';
    const held = await state.get(key);
    if (held === undefined) continue; // lapsed between the two calls
    const by = (held as { by?: unknown } | null)?.by;
    // Handled, or being handled here; a claim renewed past the deadline is another live holder's.
    if (typeof by !== 'string' || by === OWNER || Date.now() > deadline) return 'handled';
    await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
  }
}

/** One update's way through the engine: `accept` is what the engine calls (InboundMessage.accepted). */
class Acceptance {
  started = false;
  #accept = () => {};
  readonly accepted = new Promise<void>((resolve) => {
    this.#accept = resolve;
  });
  #marked = () => {};
  readonly marked = new Promise<void>((resolve) => {
    this.#marked = resolve;
  });
  /** Lets the update be confirmed; resolves once it is marked handled. */
  readonly accept = (): Promise<void> => {
    this.#accept();
    return this.marked;
  };
  done(): void {
    this.#marked();
  }
}

/** The acceptance of the update a handler is running for (set by the dedupe middleware). */
const acceptances = new WeakMap<object, Acceptance>();

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

  // A re-delivered update (crash before the offset was confirmed, webhook retry) is skipped; see above.
  bot.use(async (ctx, next) => {
    const updateId = ctx.update.update_id;
    const key = `tg:update:${updateId}`;
    const got = await claim(deps.state, key).catch((err: unknown) => {
      // A store outage must not silence the bot: handle the update (at worst twice).
      logger.warn({ updateId, err: (err as Error).message }, 'update dedupe unavailable');
      return 'mine' as const;
    });
    if (got === 'handled') {
      logger.info({ updateId }, 'telegram update already handled; skipped');
      return;
    }
    const acceptance = new Acceptance();
    acceptances.set(ctx, acceptance);
    try {
      await next();
      if (acceptance.started) {
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ACCEPT_WAIT_MS);
        });
        await Promise.race([acceptance.accepted, waited]);
        clearTimeout(timer);
      }
    } finally {
      await deps.state
        .set(key, HANDLED, UPDATE_TTL_MS)
        .catch((err: unknown) =>
          logger.warn({ updateId, err: (err as Error).message }, 'could not mark the update handled'),
        );
      acceptance.done();
    }
  });

  bot.on('callback_query:data', async (ctx) => {
    // Not awaited: the update's claim is held only for the engine's acceptance.
    void ctx
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
    start(deps, port, acceptances.get(ctx), {
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

  // Added to a group: the core says whether it may stay (team controls); if not, it has told the group.
  bot.on('my_chat_member', (ctx) => {
    const { chat, from, old_chat_member: was, new_chat_member: now } = ctx.myChatMember;
    const joined =
      ['left', 'kicked'].includes(was.status) && ['member', 'administrator'].includes(now.status);
    if (!joined || chat.type === 'private' || chat.type === 'channel' || !deps.engine.joined) return;
    const address = toAddress({ chatId: chat.id });
    const by = userSender(from, chat, askAdmin);
    void deps.engine
      .joined({ address, platform: 'telegram', by }, deps.ports.get(address)!)
      .then((stay) => (stay ? undefined : deps.api.leaveChat(chat.id)))
      .catch((err: unknown) =>
        logger.warn({ err: (err as Error).message }, 'leaving an unallowed group failed'),
      );
  });

  bot.on('message', async (ctx) => {
    // An album part is confirmed at once (the album is handled after its last part, by then confirmed).
    if (ctx.message.media_group_id) albums.add(ctx.message);
    else handleMessages([ctx.message], deps, askAdmin, acceptances.get(ctx));
  });

  return albums;
}

function handleMessages(
  messages: Message[],
  deps: InboundDeps,
  askAdmin: AdminCheck,
  acceptance?: Acceptance,
): void {
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
  // A message carrying a token goes as soon as it is read (the core never shows or logs it).
  if (ours?.name === 'token' && ours.arg && !/^(clear|remove|off|清除|移除)$/i.test(ours.arg))
    void deps.api
      .deleteMessage(primary.chat.id, primary.message_id)
      .catch((err: unknown) =>
        deps.logger.warn({ err: (err as Error).message }, 'could not delete a token message'),
      );
  const replyToId = repliedTo(primary);
  start(deps, deps.ports.get(address)!, acceptance, {
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

function start(
  deps: InboundDeps,
  port: ChatPort,
  acceptance: Acceptance | undefined,
  message: InboundMessage,
): void {
  deps.logger.info(
    { address: message.address, command: message.command?.name, attachments: message.attachments.length },
    'telegram message',
  );
  if (acceptance) acceptance.started = true;
  const inbound = acceptance ? { ...message, accepted: acceptance.accept } : message;
  // Not awaited on purpose (docs/decisions.md decision 4); the dedupe middleware waits only for its acceptance. The
  // engine never rejects; the catch is a safety net.
  void deps.engine
    .handle(inbound, port)
    .catch((err) => deps.logger.error({ err }, 'engine.handle rejected'))
    .finally(() => void acceptance?.accept());
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
