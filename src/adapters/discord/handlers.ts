import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type Interaction,
  type Message,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { ChatPort, Engine, InboundMessage } from '../../core/ports.ts';
import { teamMessages } from '../../i18n/team.ts';
import type { Logger } from '../../secrets.ts';
import { tokenModal } from './commands.ts';
import {
  addressOf,
  briefInbound,
  commandInbound,
  messageInbound,
  modalInbound,
  pressInbound,
  targetInbound,
} from './decode.ts';
import { pressOf } from './encode.ts';
import { type ModalKind, modal, modalText, VIDEO_MODAL } from './modals.ts';
import type { DiscordPorts } from './ports.ts';

// Gateway events → the engine. Every interaction is acknowledged first (deferReply within Discord's 3 s,
// before any backend call); the turn then runs without being awaited, so other chats are answered meanwhile.
// Even a file the core will refuse goes to it: the core words the refusal (privately: an ephemeral follow-up).

export interface HandlerDeps {
  engine: Engine;
  logger: Logger;
  ports: DiscordPorts;
  botId: string;
  /** Across instances: true only for the first delivery of a message id (see election.ts). */
  firstSeen?: (messageId: string) => Promise<boolean>;
}

/**
 * The core chose not to answer (a refused sender within the refusal's quiet time): no "thinking…" may hang
 * under their command until the interaction dies.
 */
const unanswered = async (i: RepliableInteraction, port: { answered: boolean }): Promise<void> => {
  if (!port.answered) await i.deleteReply().catch(() => {});
};

export function installHandlers(client: Client, deps: HandlerDeps): () => Promise<void> {
  const { engine, logger, ports, botId } = deps;
  const running = new Set<Promise<void>>();

  const start = (msg: InboundMessage, port: ChatPort, done?: () => Promise<void>) => {
    const turn = engine
      .handle(msg, port)
      .then(done)
      .catch((err: unknown) => logger.error({ err, address: msg.address }, 'engine.handle failed'))
      .finally(() => running.delete(turn));
    running.add(turn);
  };

  /** Acknowledges within Discord's 3 s, then hands the message over without awaiting its work. */
  const deferAndStart = async (i: RepliableInteraction, msg: InboundMessage, ephemeral = false) => {
    await (ephemeral ? i.deferReply({ flags: MessageFlags.Ephemeral }) : i.deferReply());
    const port = ports.forInteraction(i, msg.address);
    if (port) start(msg, port, () => unanswered(i, port));
  };

  /** The language the core chooses for this sender here (a modal must be the first answer: no message yet). */
  const langOf = async (i: ChatInputCommandInteraction | ButtonInteraction) => {
    const address = addressOf(i.channelId ?? '', i.channel as Parameters<typeof addressOf>[1]);
    return (await engine.langFor?.(address, { locale: i.locale }).catch(() => undefined)) ?? 'en';
  };

  /** A modal must be the interaction's first answer: its words in the language the core chooses. */
  const showModal = async (
    i: ChatInputCommandInteraction | ButtonInteraction,
    kind: ModalKind,
    customId: string,
  ) => {
    await i.showModal(modal(kind, customId, await langOf(i)));
  };

  const onCommand = async (i: ChatInputCommandInteraction) => {
    // /token without "clear": a modal (its answer is seen by nobody else), instead of a reply.
    if (i.commandName === 'token' && !i.options.getString('action')) {
      await i.showModal(tokenModal(teamMessages(await langOf(i))));
      return;
    }
    const msg = commandInbound(i, botId);
    // /video with neither a prompt nor a file: a modal takes a long brief (up to 4,000 characters).
    if (i.commandName === 'video' && !msg.text.trim() && msg.attachments.length === 0) {
      await showModal(i, 'video', VIDEO_MODAL);
      return;
    }
    await deferAndStart(i, msg);
  };

  const onButton = async (i: ButtonInteraction) => {
    const press = pressOf(i.customId);
    if (!press) {
      await i.deferUpdate();
      return;
    }
    // Edit… and Brand notes… ask for text first; the modal keeps the button's id (and so its project tag).
    if (press.action === 'edit' || press.action === 'notes') {
      await showModal(i, press.action, i.customId);
      return;
    }
    const msg = pressInbound(i, botId);
    // A new reply (not an update of the pressed message): the result stays under the press.
    if (msg) await deferAndStart(i, msg);
  };

  const onModal = async (i: ModalSubmitInteraction) => {
    // The /token modal: the answer about a token is for the sender's eyes only.
    if (i.customId === 'token') {
      await deferAndStart(i, modalInbound(i, botId), true);
      return;
    }
    const text = modalText(i);
    const msg = i.customId === VIDEO_MODAL ? briefInbound(i, botId, text) : pressInbound(i, botId, text);
    if (msg) await deferAndStart(i, msg);
    else await i.deferUpdate();
  };

  const onMessageCommand = async (i: MessageContextMenuCommandInteraction) => {
    await deferAndStart(i, targetInbound(i, botId));
  };

  const onInteraction = async (i: Interaction) => {
    if (i.isChatInputCommand()) await onCommand(i);
    else if (i.isButton()) await onButton(i);
    else if (i.isModalSubmit()) await onModal(i);
    else if (i.isMessageContextMenuCommand()) await onMessageCommand(i);
  };

  const onMessage = async (m: Message) => {
    if (m.author.bot || m.author.id === botId) return;
    // Without the privileged Message Content intent only DMs and mentions carry text; answer just those.
    if (m.inGuild() && !m.mentions.users.has(botId)) return;
    const msg = messageInbound(m, botId);
    if (!msg.text.trim() && msg.attachments.length === 0) return;
    if (deps.firstSeen && !(await deps.firstSeen(m.id))) return;
    ports.remember(msg.address, { userId: m.author.id });
    const port = ports.channel(msg.address);
    if (port) start(msg, port);
  };

  const safe =
    <T>(what: string, fn: (x: T) => Promise<void>) =>
    (x: T) =>
      void fn(x).catch((err: unknown) => logger.warn({ err: (err as Error).message }, `${what} failed`));
  client.on(Events.InteractionCreate, safe('interaction', onInteraction));
  client.on(Events.MessageCreate, safe('message', onMessage));

  /** Resolves when the turns started so far have ended (tests; shutdown waits on the engine instead). */
  return async () => {
    await Promise.all([...running]);
  };
}
