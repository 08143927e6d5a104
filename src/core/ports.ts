// The ports of the conversation core (docs/decisions.md decision 1). The core owns them; adapters implement
// ChatPort and produce InboundMessage; nothing here knows Discord, Telegram or a terminal.

import type { ActionName } from '../i18n/actions.ts';
import type { CommandName } from '../i18n/commands.ts';
import type { Lang, Platform } from '../i18n/lang.ts';

export { COMMAND_NAMES, type CommandName } from '../i18n/commands.ts';
export type { Lang, Platform } from '../i18n/lang.ts';

/**
 * A serializable chat address: `tg:<chatId>[:<topicId>]`, `dc:<channelId>[:<threadId>]`, `term:local`.
 * It keys the chat's session in the store, and an adapter can send to it later without the original event
 * (jobs resumed after a restart, results after Discord's 15-minute interaction token has died).
 */
export type ChatAddress = string;

/** The platform prefix of an address (`tg`, `dc`, `term`). */
export function addressPrefix(address: ChatAddress): string {
  const i = address.indexOf(':');
  return i < 0 ? address : address.slice(0, i);
}

export interface Sender {
  id: string;
  displayName: string;
  /** The platform's locale for this user (`zh-CN`, `en`, …), when it tells: a fact for the core's language choice. */
  locale?: string;
  /**
   * May change chat-wide settings (/reset, /lang): true in private chats and the terminal. The core asks only
   * when a command needs it (asking may cost a platform call, e.g. Telegram's getChatMember).
   */
  isAdmin(): Promise<boolean>;
  /** Discord role ids the sender holds in this server (team allow-lists can name roles). */
  roles?: readonly string[];
}

export interface Attachment {
  name: string;
  mimeType?: string;
  /** Bytes, when the platform says; checked against MAX_UPLOAD_MB before any byte moves. */
  size?: number;
  /**
   * A public URL NemoVideo may fetch itself. Never a URL that embeds a secret (a Telegram file URL holds the
   * bot token: those attachments offer `open` instead).
   */
  url?: string;
  /** Opens the bytes as a stream (downloaded from the platform, read from disk, …). */
  open?: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
  /** The most bytes the platform lets the bot fetch (Telegram's getFile: 20 MB); over it, the core refuses. */
  limitBytes?: number;
  /** The adapter found no such file (a path typed in the terminal): the core says so. */
  missing?: boolean;
  /** The path names a directory, not a file (a terminal `/upload ./clips`). */
  directory?: boolean;
  /**
   * A missing path that exists once the words after it are added (`/upload my clip.mp4` typed without
   * quotes): the core suggests quoting it.
   */
  spacedPath?: string;
}

export interface InboundMessage {
  address: ChatAddress;
  platform: Platform;
  sender: Sender;
  /** The text as typed (mentions included: the core strips them with `botMentions`). May be empty. */
  text: string;
  attachments: Attachment[];
  /** Set when the adapter already knows the command (a slash command, a button press): no keyword routing. */
  command?: { name: CommandName; arg?: string };
  /** Ways this bot is mentioned on the platform (`@NemoBot`, `<@123>`), stripped before routing. */
  botMentions?: string[];
  /** The platform's id of the message, for logs and replies. */
  messageId?: string;
  /** The Discord server (guild) the chat belongs to; absent in DMs and on other platforms. */
  serverId?: string;
  /** Nobody but the sender saw the text (a Discord modal): a secret in it was not exposed. */
  concealed?: boolean;
  /**
   * Called once when the core has durably accepted the message: its turn or export job is recorded (a crash
   * after this is resumed or told), it waits behind other work, or it was answered. An adapter whose platform
   * re-delivers unconfirmed events (Telegram) confirms the event only then; the core waits for the returned
   * promise before the agent hears the message, so a re-delivered copy cannot send it twice.
   */
  accepted?: () => Promise<void> | void;
  /**
   * A button press, a modal sent back, or a reply to one of the bot's prompts (src/core/actions.ts): `data` is
   * what the button carried (a project tag, a setting), `text` what the user typed into a modal.
   */
  press?: Press;
  /** The message this one replies to (Telegram: a reply to the bot's "reply with your brand notes"). */
  replyToId?: string;
}

/**
 * Every action a button can carry: one table (src/i18n/actions.ts) the adapters draw. A press of export,
 * status or credits without data comes back as that command; every other press as `InboundMessage.press`.
 */
export type ButtonAction = ActionName;

/** A button with what its press carries back (self-describing, so it works after a restart). */
export interface Button {
  action: ButtonAction;
  /** Short and opaque to adapters (src/core/buttons.ts encodes it; Telegram's callback data is 64 bytes). */
  data?: string;
  /** The label when not the table's (a /settings value), worded by the core. */
  label?: string;
}

export interface Press {
  /** `unknown`: a button this version cannot read (another format, another bot): the core says so. */
  action: ButtonAction | 'unknown';
  data?: string;
  text?: string;
}

/** Who asked for a piece of work: told when it finishes (a reply on Telegram, a mention on Discord). */
export interface Requester {
  userId: string;
  name: string;
  /** The platform message that asked (Telegram: replied to, and reacted on); absent for a button press. */
  messageId?: string;
}

export interface OutMessage {
  text: string;
  buttons?: Array<ButtonAction | Button>;
  /** Notify this person: reply to their message (Telegram) or mention them outside their own interaction (Discord). */
  replyTo?: Requester;
  /** Ask for a typed answer to this message (Telegram ForceReply); the answer comes back with `replyToId`. */
  ask?: boolean;
  /**
   * For the person who asked and nobody else (a claim link, token trouble). The core delivers it through
   * `ChatPort.sendPrivate`, never `send`; when that person cannot be reached privately it says in the chat
   * where to get it instead (see `again`).
   */
  private?: boolean;
  /** For a private message: what to send again once a private chat is open (`/open`). */
  again?: string;
  /** Only the sender needs to see it (a refusal): ephemeral where that is free (a Discord interaction), else a normal message. */
  ephemeral?: boolean;
  /** The reply language the core chose: adapters label buttons in it (without it: English). */
  lang?: Lang;
}

export interface SentRef {
  id: string;
}

export interface VideoOut {
  /** Where the backend serves the MP4; posted as a link when there is no file to send. */
  url: string;
  /** The downloaded MP4 on local disk, when the core downloaded it (size within `videoLimitBytes`). */
  path?: string;
  size?: number;
  durationSec?: number;
  /** Sent with the file. */
  caption?: string;
  /**
   * Posted above the link when the video goes as a link: there is no `path`, or the platform refused the file
   * (a server with a lower limit than it told). The core words it; adapters never do.
   */
  linkText: string;
  /** The reply language the core chose. */
  lang?: Lang;
  /** Actions under the posted video. */
  buttons?: Array<ButtonAction | Button>;
  /** The person who asked for it: notified where the platform can (see OutMessage.replyTo). */
  replyTo?: Requester;
  /**
   * The same for every attempt to post this video (the render id): a platform that can drop a repeated post
   * (Discord's message nonce) uses it, since after a crash the core posts again what is not known to have arrived.
   */
  key?: string;
}

/** How a piece of work stands, shown on the message that asked for it (Telegram reactions). */
export type Receipt = 'working' | 'done' | 'failed';

/**
 * What the core needs from a chat. The adapter tells the platform's limits (`videoLimitBytes`) and enforces
 * its mechanics: it splits long text (2000 / 4096 characters), honours rate limits, and falls back to a plain
 * message where an edit is impossible (an expired interaction, a deleted message). It renders what the core
 * gives it and words nothing itself.
 */
export interface ChatPort {
  readonly address: ChatAddress;
  /** Largest video the platform accepts from a bot as a file; the core posts larger renders as a link. */
  readonly videoLimitBytes: number;
  send(message: OutMessage): Promise<SentRef>;
  /** Replaces the text of a message this port sent (progress: heartbeats, render percentage). */
  edit(ref: SentRef, message: OutMessage): Promise<void>;
  sendVideo(video: VideoOut): Promise<void>;
  /** Shows "typing…" / "sending a video…" for a few seconds, where the platform has it. */
  activity?(kind: 'typing' | 'upload_video'): Promise<void>;
  /** Marks the user's message with how their request stands (👀, 👍, 💔), where the chat allows it. */
  react?(messageId: string, receipt: Receipt): Promise<void>;
  /**
   * Shows the agent's answer as it is being written (`text` so far), where the platform can (a Telegram draft
   * in a private chat); `undefined`: the preview ends and the next `send` is the complete text it previewed.
   * Never throws, never waits: the adapter throttles and drops stale previews.
   */
  draft?(text: string | undefined): void;
  /**
   * Delivers to one person only: a DM, or an ephemeral reply where the platform has one. Resolves undefined
   * when that person cannot be reached privately (never started the bot, DMs closed): never falls back to
   * the chat itself, the core then says there where to get it.
   */
  sendPrivate(to: Recipient, message: OutMessage): Promise<SentRef | undefined>;
}

/** Whom a private message is for: the platform's id of the sender. */
export type Recipient = Pick<Sender, 'id'>;

/** Gives a ChatPort for an address without the original event (resumed jobs, late results). */
export type ChatResolver = (address: ChatAddress) => ChatPort | undefined;

/** The one inbound door of the core. */
export interface Engine {
  /**
   * Handles one message to the end (a whole agent turn, an export). Never rejects: failures become a message
   * in the user's language. Adapters must NOT await it inside a platform update handler (docs/decisions.md
   * decision 4); they start it and move on. The terminal chat awaits it to keep a script in order.
   */
  handle(message: InboundMessage, chat: ChatPort): Promise<void>;
  /** Lets the engine reach chats of a platform later (prefix `tg`, `dc`, `term`). */
  registerChats(prefix: string, resolver: ChatResolver): void;
  /** Resumes jobs recorded by an earlier process (renders to finish, turns that died): call after registerChats. */
  resume(): Promise<void>;
  /**
   * The bot was added to a group (Telegram `my_chat_member`) by `by`: the core tells the chat when it is not
   * allowed there and answers false, and the adapter then leaves. Optional: engines without team controls.
   */
  joined?(event: { address: ChatAddress; platform: Platform; by: Sender }, chat: ChatPort): Promise<boolean>;
  /**
   * The reply language for this sender in this chat, for platform UI that must answer at once without a
   * message (a Discord modal's title): the core's choice, so adapters word nothing themselves.
   */
  langFor?(address: ChatAddress, sender: Pick<Sender, 'locale'>): Promise<Lang>;
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>;
  /** What the chat is doing now (a terminal asks before Ctrl+C stops it). */
  working(address: ChatAddress): 'turn' | 'export' | undefined;
  /** Stops taking work, persists what is in flight, aborts waits. */
  close(): Promise<void>;
}
