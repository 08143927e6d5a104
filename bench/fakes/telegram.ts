// A lean fake of the Telegram Bot API for the benchmarks (test/fakes/telegram records every call and keeps every
// message and file, which costs more than the bot under test at thousands of chats). It answers what the bot
// calls with real Bot API shapes, serves real long polling, and reports each call with the moment its body was
// fully received, the chat and the text, so the bench can time "sent by the agent → received by Telegram".
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';

export const TG_TOKEN = '123456789:AAHbenchTelegramTokenForBench_abcdefgh';
const BOT = { id: 123456789, is_bot: true, first_name: 'Nemo Video', username: 'NemoVideoBot' };

export interface TgCall {
  method: string;
  chatId: number | undefined;
  text: string | undefined;
  /** performance.now() when the request's headers arrived, and when its body had fully arrived. */
  started: number;
  at: number;
  /** Multipart file bytes received (sendVideo). */
  fileBytes: number;
}

interface Update {
  update_id: number;
  message: Record<string, unknown>;
}

export class LeanTelegram {
  url = '';
  readonly counts = new Map<string, number>();
  /** TCP connections accepted so far. */
  connections = 0;
  onCall: ((call: TgCall) => void) | undefined;
  readonly #server = createServer((req, res) => {
    this.#handle(req, res).catch((err: unknown) => {
      process.stderr.write(`lean Telegram: ${String(err)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  #updates: Update[] = [];
  /** 91xxxxxxxx, like the bench's chat ids, so the bench can delete what a Redis store kept of them. */
  #nextUpdate = 9_100_000_000 + Math.floor(Math.random() * 1e5) * 1000;
  #nextMessage = 1;
  #waiters = new Set<() => void>();
  #polls = 0;

  async listen(): Promise<void> {
    this.#server.on('connection', () => {
      this.connections++;
    });
    this.#server.keepAliveTimeout = 60_000;
    this.#server.headersTimeout = 0;
    this.#server.requestTimeout = 0;
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const w of this.#waiters) w();
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** getUpdates calls so far (the bot is polling once this is ≥ 1). */
  get polls(): number {
    return this.#polls;
  }

  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  /** A private-chat text message from user `chatId` (user id = chat id). */
  push(chatId: number, text: string, lang = 'en'): void {
    const from = { id: chatId, is_bot: false, first_name: `User ${chatId}`, language_code: lang };
    this.#updates.push({
      update_id: this.#nextUpdate++,
      message: {
        message_id: this.#nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: from.first_name },
        from,
        text,
      },
    });
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const m = /^\/bot([^/]+)\/(\w+)(?:\?|$)/.exec(req.url ?? '/');
    if (!m || m[1] !== TG_TOKEN) {
      req.resume();
      return void res.writeHead(404).end('{"ok":false,"error_code":404,"description":"Not Found"}');
    }
    const method = m[2] ?? '';
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    const type = String(req.headers['content-type'] ?? '');
    const { params, fileBytes } = type.startsWith('multipart/')
      ? await readMultipart(req)
      : { params: await readJson(req), fileBytes: 0 };
    const at = performance.now();
    const chatId = params.chat_id === undefined ? undefined : Number(params.chat_id);
    const text = typeof params.text === 'string' ? params.text : undefined;
    if (method !== 'getUpdates') this.onCall?.({ method, chatId, text, started, at, fileBytes });
    const ok = (result: unknown) => {
      const body = JSON.stringify({ ok: true, result });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const message = (extra: Record<string, unknown> = {}) => ({
      message_id: Number(params.message_id ?? this.#nextMessage++),
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private' },
      from: BOT,
      ...extra,
    });
    switch (method) {
      case 'getMe':
        return ok({ ...BOT, can_join_groups: true, can_read_all_group_messages: false });
      case 'getUpdates':
        return this.#poll(params, res, ok);
      case 'sendMessage':
      case 'editMessageText':
        return ok(message({ text }));
      case 'sendVideo':
        return ok(message({ video: { file_id: 'V1', file_unique_id: 'v1', width: 1080, height: 1920 } }));
      default:
        return ok(true);
    }
  }

  #poll(params: Record<string, unknown>, res: ServerResponse, ok: (result: unknown) => void): void {
    this.#polls++;
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 100);
    const timeout = Number(params.timeout ?? 0);
    if (offset > 0) this.#updates = this.#updates.filter((u) => u.update_id >= offset);
    const answer = () => ok(this.#updates.slice(0, limit));
    if (this.#updates.length > 0 || timeout === 0) {
      answer();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const wake = () => {
      clearTimeout(timer);
      this.#waiters.delete(wake);
      if (!res.destroyed) answer();
    };
    timer = setTimeout(wake, timeout * 1000);
    this.#waiters.add(wake);
    res.on('close', () => {
      clearTimeout(timer);
      this.#waiters.delete(wake);
    });
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(
          chunks.length
            ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
            : {},
        );
      } catch {
        resolve({});
      }
    });
  });
}

/** Fields as params, files counted and dropped (only their size matters here). */
function readMultipart(
  req: IncomingMessage,
): Promise<{ params: Record<string, unknown>; fileBytes: number }> {
  return new Promise((resolve, reject) => {
    const params: Record<string, unknown> = {};
    let fileBytes = 0;
    const bb = busboy({ headers: req.headers, limits: { fileSize: Number.POSITIVE_INFINITY } });
    bb.on('field', (name, value) => {
      params[name] = value;
    });
    bb.on('file', (_name, stream) => {
      stream.on('data', (d: Buffer) => {
        fileBytes += d.length;
      });
    });
    bb.on('close', () => resolve({ params, fileBytes }));
    bb.on('error', reject);
    req.pipe(bb);
  });
}
