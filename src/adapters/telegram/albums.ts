import type { Message } from 'grammy/types';

// An album arrives as several updates sharing a media_group_id, the caption on one of them. Parts are
// collected until none has arrived for `waitMs`, then handed over together as one message.

export class Albums {
  #pending = new Map<string, { messages: Message[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly waitMs: number,
    private readonly onAlbum: (messages: Message[]) => void,
  ) {}

  add(message: Message): void {
    const key = `${message.chat.id}:${message.media_group_id}`;
    const entry = this.#pending.get(key);
    if (entry) clearTimeout(entry.timer);
    const messages = [...(entry?.messages ?? []), message];
    const timer = setTimeout(() => this.#emit(key), this.waitMs);
    this.#pending.set(key, { messages, timer });
  }

  /** Hands over every album still collecting (shutdown: the engine persists what it starts). */
  flush(): void {
    for (const key of [...this.#pending.keys()]) this.#emit(key);
  }

  #emit(key: string): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#pending.delete(key);
    this.onAlbum(entry.messages.sort((a, b) => a.message_id - b.message_id));
  }
}
