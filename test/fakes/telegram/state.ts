import type { FakeTelegramOptions, RecordedCall, StoredFile, TgChat, TgUser } from './types.ts';

// What the fake Bot API remembers: pending updates, the messages the bot sent, the files users sent,
// chat administrators, injected faults and every call, plus waiters for `waitFor`.

export interface SentMessage {
  chatId: number;
  messageId: number;
  threadId?: number;
  text?: string;
  caption?: string;
  replyMarkup?: unknown;
  kind: 'text' | 'video' | 'document' | 'photo';
}

interface Waiter {
  method: string;
  predicate: (call: RecordedCall) => boolean;
  resolve: (call: RecordedCall) => void;
}

export class TelegramState {
  readonly calls: RecordedCall[] = [];
  /** Updates not yet confirmed by an `offset`. */
  readonly updates: Array<{ update: { update_id: number; [key: string]: unknown }; delivered: boolean }> = [];
  readonly messages = new Map<string, SentMessage>();
  readonly files = new Map<string, StoredFile>();
  /** File paths served by /file/bot<token>/<path>, in order. */
  readonly downloads: string[] = [];
  /** `${chatId}:${userId}` → member status. */
  readonly members = new Map<string, string>();
  /** Chats users wrote in, so the bot's messages carry the right chat object. A private one: the user started the bot. */
  readonly chats = new Map<number, TgChat>();
  /** Users who blocked the bot: sending to them answers 403. */
  readonly blocked = new Set<number>();
  /** Method (or '*') → remaining 429 answers and their retry_after. */
  readonly rateLimits: Array<{ method: string; times: number; retryAfter: number }> = [];
  webhook: { url: string; secret?: string } | undefined;
  readonly bot: TgUser;
  #nextUpdateId = 1000;
  #nextMessageId = new Map<number, number>();
  #nextFile = 1;
  #waiters: Waiter[] = [];
  #onUpdate: Array<() => void> = [];

  constructor(readonly options: FakeTelegramOptions) {
    this.bot = { id: options.botId, is_bot: true, first_name: 'Nemo Video', username: options.botUsername };
  }

  nextUpdateId(): number {
    return this.#nextUpdateId++;
  }

  nextMessageId(chatId: number): number {
    const id = this.#nextMessageId.get(chatId) ?? 1;
    this.#nextMessageId.set(chatId, id + 1);
    return id;
  }

  /** Queues an update (kept even with an old id: that is how a re-delivery after a crash looks). */
  pushUpdate(update: { update_id: number; [key: string]: unknown }): void {
    this.updates.push({ update, delivered: false });
    this.onPush?.();
    const listeners = this.#onUpdate.splice(0);
    for (const l of listeners) l();
  }

  onUpdate(listener: () => void): () => void {
    this.#onUpdate.push(listener);
    return () => {
      this.#onUpdate = this.#onUpdate.filter((l) => l !== listener);
    };
  }

  /** Webhook delivery hook (server.ts), called on every queued update. */
  onPush: (() => void) | undefined;

  /**
   * Confirms every delivered update below `offset` (the Bot API's getUpdates contract) and returns what is
   * left, marked delivered. An old id queued again (a re-delivery) is returned once before it is confirmed.
   */
  takeUpdates(offset: number | undefined, limit: number): Array<{ update_id: number }> {
    if (offset !== undefined && offset > 0) {
      for (let i = this.updates.length - 1; i >= 0; i--) {
        const e = this.updates[i]!;
        if (e.delivered && e.update.update_id < offset) this.updates.splice(i, 1);
      }
    }
    const out = this.updates.slice(0, limit);
    for (const e of out) e.delivered = true;
    return out.map((e) => e.update);
  }

  addFile(size: number, bytes: Buffer | undefined, ext: string): StoredFile {
    const n = this.#nextFile++;
    const file: StoredFile = {
      fileId: `FILE${n}-${'x'.repeat(20)}`,
      uniqueId: `U${n}`,
      path: `documents/file_${n}.${ext}`,
      size,
      ...(bytes ? { bytes } : {}),
    };
    this.files.set(file.fileId, file);
    return file;
  }

  record(call: RecordedCall): void {
    this.calls.push(call);
    for (const w of [...this.#waiters]) {
      if (w.method === call.method && w.predicate(call)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(call);
      }
    }
  }

  /** Resolves with the first call (already made or future) of `method` matching `predicate`. */
  waitFor(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<RecordedCall> {
    const done = this.calls.find((c) => c.method === method && predicate(c));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== waiter);
        const seen = this.calls.map((c) => c.method).join(', ');
        reject(new Error(`fake Telegram: no matching ${method} within ${timeoutMs} ms (calls: ${seen})`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Takes one injected 429 for this method, if any. */
  takeRateLimit(method: string): number | undefined {
    const rule = this.rateLimits.find((r) => (r.method === method || r.method === '*') && r.times > 0);
    if (!rule) return undefined;
    rule.times--;
    return rule.retryAfter;
  }
}
