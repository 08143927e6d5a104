import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type Interaction,
  type Message,
} from 'discord.js';
import type { ChatPort, Engine, InboundMessage } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';
import { buttonInbound, commandInbound, messageInbound } from './decode.ts';
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

export function installHandlers(client: Client, deps: HandlerDeps): () => Promise<void> {
  const { engine, logger, ports, botId } = deps;
  const running = new Set<Promise<void>>();

  const start = (msg: InboundMessage, port: ChatPort) => {
    const turn = engine
      .handle(msg, port)
      .catch((err: unknown) => logger.error({ err, address: msg.address }, 'engine.handle failed'))
      .finally(() => running.delete(turn));
    running.add(turn);
  };

  const onCommand = async (i: ChatInputCommandInteraction) => {
    const msg = commandInbound(i, botId);
    await i.deferReply();
    const port = ports.forInteraction(i, msg.address);
    if (port) start(msg, port);
  };

  const onButton = async (i: ButtonInteraction) => {
    const msg = buttonInbound(i, botId);
    if (!msg) {
      await i.deferUpdate();
      return;
    }
    // A new reply (not an update of the pressed message): the result stays under the press.
    await i.deferReply();
    const port = ports.forInteraction(i, msg.address);
    if (port) start(msg, port);
  };

  const onInteraction = async (i: Interaction) => {
    if (i.isChatInputCommand()) await onCommand(i);
    else if (i.isButton()) await onButton(i);
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
