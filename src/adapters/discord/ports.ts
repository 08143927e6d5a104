import type { RepliableInteraction } from 'discord.js';
import type { ChatAddress } from '../../core/ports.ts';
import { ChannelPort, type PortEnv } from './channel-port.ts';
import { DEFAULT_FILE_LIMIT, parseAddress } from './encode.ts';
import { InteractionPort } from './interaction-port.ts';

// Ports by chat: a fresh InteractionPort per interaction, channel ports for messages and for the engine's
// resolver (late results, resumed jobs). Remembers per chat what the last interaction told: the upload limit
// and whom a late result should mention. (Not a language: the core chooses it for every message.)

export interface PortsOptions extends PortEnv {
  ttlMs: number;
  now: () => number;
}

interface Seen {
  limit: number;
  userId?: string;
}

const REMEMBERED = 1_000;

export class DiscordPorts {
  #seen = new Map<ChatAddress, Seen>();
  readonly #env: PortEnv;

  constructor(private readonly options: PortsOptions) {
    this.#env = { rest: options.rest, logger: options.logger };
  }

  remember(address: ChatAddress, seen: Partial<Seen>): void {
    const before = this.#seen.get(address) ?? { limit: DEFAULT_FILE_LIMIT };
    this.#seen.delete(address);
    this.#seen.set(address, { ...before, ...seen });
    if (this.#seen.size > REMEMBERED) this.#seen.delete(this.#seen.keys().next().value as ChatAddress);
  }

  forInteraction(i: RepliableInteraction, address: ChatAddress): InteractionPort | undefined {
    const limit = i.attachmentSizeLimit ?? DEFAULT_FILE_LIMIT;
    this.remember(address, { limit, userId: i.user.id });
    const channel = this.channel(address);
    if (!channel) return undefined;
    return new InteractionPort(i, channel, {
      ...this.#env,
      ttlMs: this.options.ttlMs,
      now: this.options.now,
    });
  }

  /** A channel port; `mention` names the user to ping on each message. */
  channel(address: ChatAddress, mention?: string): ChannelPort | undefined {
    const target = parseAddress(address);
    if (!target) return undefined;
    const limit = this.#seen.get(address)?.limit ?? DEFAULT_FILE_LIMIT;
    return new ChannelPort(address, target, this.#env, limit, mention);
  }

  /** For the engine: a result with no live interaction goes to the channel, mentioning the last user. */
  resolve(address: ChatAddress): ChannelPort | undefined {
    return this.channel(address, this.#seen.get(address)?.userId);
  }
}
