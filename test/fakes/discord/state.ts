import { snowflake } from './payloads.ts';
import type {
  FakeChannel,
  FakeDiscordOptions,
  FakeInteraction,
  FakeMessage,
  FakeUser,
  RecordedFile,
  RestCall,
} from './types.ts';

// What the fake Discord remembers: REST calls, messages (channel and webhook), interactions, CDN files,
// injected 429s. Every change wakes `waitFor` callers.

export interface InjectedRateLimit {
  /** Matched against `METHOD path`, e.g. /^POST \/channels\//. */
  route: RegExp;
  times: number;
  retryAfterSec: number;
}

export interface CdnFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

export class DiscordState {
  readonly calls: RestCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly interactions = new Map<string, FakeInteraction>();
  readonly cdn = new Map<string, CdnFile>();
  readonly users = new Map<string, FakeUser>();
  readonly rateLimits: InjectedRateLimit[] = [];
  /** Commands registered with PUT, by scope (`global` or a guild id). */
  readonly commands = new Map<string, unknown[]>();
  /** DM channel id → the user on the other side. */
  readonly dms = new Map<string, FakeUser>();
  /** Interactions POSTed to the bot's endpoint whose answer has not been read yet, by token. */
  readonly inFlight = new Map<string, Promise<void>>();
  identify: { token: string; intents: number } | undefined;
  heartbeats = 0;
  #waiters = new Set<() => void>();

  constructor(public options: FakeDiscordOptions) {
    this.users.set(options.bot.id, options.bot);
  }

  changed(): void {
    for (const w of [...this.#waiters]) w();
  }

  onChange(fn: () => void): () => void {
    this.#waiters.add(fn);
    return () => this.#waiters.delete(fn);
  }

  channel(id: string): { channel: FakeChannel; guildId: string } | undefined {
    for (const g of this.options.guilds) {
      const channel = g.channels.find((c) => c.id === id);
      if (channel) return { channel, guildId: g.id };
    }
    return undefined;
  }

  guildOf(channelId: string): string | undefined {
    return this.channel(channelId)?.guildId;
  }

  knownChannel(id: string): boolean {
    return this.channel(id) !== undefined || this.dms.has(id);
  }

  addMessage(fields: {
    channelId: string;
    content: string;
    components?: unknown[];
    files?: RecordedFile[];
    flags?: number;
    authorId: string;
    interactionId?: string;
    original?: boolean;
  }): FakeMessage {
    const m: FakeMessage = {
      id: snowflake(),
      channelId: fields.channelId,
      content: fields.content,
      components: fields.components ?? [],
      files: fields.files ?? [],
      flags: fields.flags ?? 0,
      authorId: fields.authorId,
      ...(fields.interactionId ? { interactionId: fields.interactionId } : {}),
      ...(fields.original ? { original: true } : {}),
      history: [fields.content],
      createdAt: Date.now(),
    };
    this.messages.push(m);
    this.changed();
    return m;
  }

  /** Applies a PATCH body (content, components, files) to a message. */
  editMessage(m: FakeMessage, body: Record<string, unknown>, files: RecordedFile[]): void {
    if (typeof body.content === 'string') {
      m.content = body.content;
      m.history.push(body.content);
    }
    if (Array.isArray(body.components)) m.components = body.components;
    // Discord keeps the attachments listed in `attachments`; new files are added.
    if (Array.isArray(body.attachments) && body.attachments.length === 0) m.files = [];
    if (files.length > 0) m.files = [...m.files, ...files];
    if (typeof body.flags === 'number') m.flags = (m.flags & ~128) | body.flags;
    else m.flags &= ~128; // the "thinking…" state ends with the first edit
    this.changed();
  }

  takeRateLimit(method: string, path: string): InjectedRateLimit | undefined {
    const hit = this.rateLimits.find((r) => r.times > 0 && r.route.test(`${method} ${path}`));
    if (hit) hit.times -= 1;
    return hit;
  }

  /** The bot's public messages and the ephemeral ones, in a channel (or everywhere). */
  messagesIn(channelId?: string): FakeMessage[] {
    return this.messages.filter((m) => !m.deleted && (channelId === undefined || m.channelId === channelId));
  }
}
