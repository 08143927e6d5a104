import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBody, resolveAttachments } from './body.ts';
import { CONFLICT, TelegramFaults } from './faults.ts';
import { callMethod, fail, type MethodAnswer } from './methods.ts';
import { type SentMessage, TelegramState } from './state.ts';
import { CONFLICT_TEXT, DeliverySwitches } from './switches.ts';
import type { FakeTelegramOptions, RecordedCall, StoredFile, TgUser } from './types.ts';
import { TelegramUsers } from './users.ts';

// A wire-level fake of the Telegram Bot API on 127.0.0.1: /bot<token>/<method> and /file/bot<token>/<path>,
// real long polling, webhook delivery, and injected 429s. grammY talks to it through `client.apiRoot`.

export type { RecordedCall, StoredFile, TgChat, TgUser } from './types.ts';

const DEFAULTS: FakeTelegramOptions = {
  token: '123456789:AAHfakeTelegramTokenForTests_abcdefghij',
  botUsername: 'NemoVideoBot',
  botId: 123456789,
  maxDownloadBytes: 20 * 1024 * 1024,
};

export class FakeTelegram extends TelegramUsers {
  #server: Server;
  #url = '';
  #held = new Set<ServerResponse>();
  /** Ends held getUpdates requests early (a 409 window starting). */
  #wakeHeld = new Set<() => void>();
  /** Injected platform faults: 502 pages, 409 windows, stalled uploads (see faults.ts). */
  readonly faults = new TelegramFaults();
  /** Front pages (502/503), 409 Conflicts and held calls (switches.ts). */
  readonly switches = new DeliverySwitches();

  constructor(options: FakeTelegramOptions) {
    super(new TelegramState(options));
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((err: unknown) => {
        process.stderr.write(`fake Telegram: handler failed: ${String(err)}\n`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.state.onPush = () => this.#deliverWebhook();
  }

  /** `http://127.0.0.1:<port>`: pass as TELEGRAM_API_ROOT. */
  get url(): string {
    return this.#url;
  }
  get token(): string {
    return this.state.options.token;
  }
  get bot(): TgUser {
    return this.state.bot;
  }
  get calls(): RecordedCall[] {
    return this.state.calls;
  }
  /** File paths the bot downloaded. */
  get downloads(): string[] {
    return this.state.downloads;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.faults.close();
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall> {
    return this.state.waitFor(method, predicate, timeoutMs);
  }

  /** The next `times` calls of `method` ('*': any method but getUpdates) answer 429 with `retry_after`. */
  rateLimit(method: string, times: number, retryAfterSec: number): void {
    this.state.rateLimits.push({ method, times, retryAfter: retryAfterSec });
  }

  /**
   * getUpdates answers 409 Conflict for `ms`, starting with the request held now: what Telegram does while
   * another instance polls with the same token (an old one still running during a deploy).
   */
  conflict(ms: number): void {
    this.faults.conflictFor(ms);
    for (const wake of [...this.#wakeHeld]) wake();
  }

  /** Messages the bot has in a chat (texts as last edited), oldest first. */
  sent(chatId: number): SentMessage[] {
    return [...this.state.messages.values()].filter((m) => m.chatId === chatId);
  }

  /** Queues an update again (same update_id), as Telegram does after a bot crashed before confirming it. */
  redeliver(update: { update_id: number }): void {
    this.state.pushUpdate(structuredClone(update));
  }

  /** POSTs an update to the registered webhook like Telegram does; answers the HTTP status. */
  async postWebhook(update: object, secret = this.state.webhook?.secret): Promise<number> {
    const hook = this.state.webhook;
    if (!hook) throw new Error('fake Telegram: no webhook set');
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  #delivering = false;
  /** With a webhook set, pushes queued updates to it in order; a failed POST is retried shortly. */
  #deliverWebhook(): void {
    if (this.#delivering || !this.state.webhook) return;
    this.#delivering = true;
    void (async () => {
      try {
        while (this.state.webhook && this.state.updates.length > 0) {
          const entry = this.state.updates[0]!;
          const status = await this.postWebhook(entry.update).catch(() => 0);
          if (status >= 200 && status < 300) this.state.updates.shift();
          else await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        this.#delivering = false;
      }
    })();
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (api) return this.#api(req, res, api[1]!, api[2]!, url.searchParams);
    if (file) return this.#file(res, file[1]!, decodeURIComponent(file[2]!));
    process.stderr.write(
      `fake Telegram: unknown route ${req.method} ${url.pathname.replace(/bot[^/]+/, 'bot<token>')}\n`,
    );
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"ok":false,"error_code":404,"description":"Not Found"}');
  }

  #file(res: ServerResponse, token: string, path: string): void {
    const stored = [...this.state.files.values()].find((f: StoredFile) => f.path === path);
    if (token !== this.token || !stored?.bytes) {
      res.writeHead(404).end('Not Found');
      return;
    }
    this.state.downloads.push(path);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.bytes.length });
    res.end(stored.bytes);
  }

  async #api(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    method: string,
    query: URLSearchParams,
  ) {
    if (this.faults.intercept(req, res, method)) return;
    const body = await parseBody(req, query);
    const call: RecordedCall = {
      method,
      params: body.params,
      files: resolveAttachments(body),
      status: 0,
      at: Date.now(),
    };
    const answer = (a: MethodAnswer) => {
      call.status = a.status;
      const body = a.body as { ok: boolean; result?: unknown };
      if (body.ok) call.result = body.result;
      if (a.status === 404) process.stderr.write(`fake Telegram: unknown method ${method}\n`);
      if (!this.state.calls.includes(call)) this.state.record(call);
      if (!res.destroyed)
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      this.faults.answered(call);
    };
    if (token !== this.token) return answer(fail(401, 'Unauthorized'));
    if (this.switches.intercept(call, res)) return;
    const retryAfter = method === 'getUpdates' ? undefined : this.state.takeRateLimit(method);
    if (retryAfter !== undefined) {
      return answer(fail(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter }));
    }
    if (method === 'getUpdates') return this.#getUpdates(res, call, answer);
    answer(callMethod(this.state, call));
  }

  #getUpdates(res: ServerResponse, call: RecordedCall, answer: (a: MethodAnswer) => void) {
    if (this.state.webhook) {
      return answer(
        fail(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ),
      );
    }
    if (this.faults.conflicting) return answer(fail(409, CONFLICT));
    if (this.switches.takeConflict()) return answer(fail(409, CONFLICT_TEXT));
    const offset = typeof call.params.offset === 'number' ? call.params.offset : undefined;
    const limit = typeof call.params.limit === 'number' && call.params.limit > 0 ? call.params.limit : 100;
    const timeoutSec = typeof call.params.timeout === 'number' ? call.params.timeout : 0;
    const ready = this.state.takeUpdates(offset, limit);
    if (ready.length > 0 || timeoutSec === 0)
      return answer({ status: 200, body: { ok: true, result: ready } });
    if (this.#held.size > 0) {
      return answer(
        fail(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        ),
      );
    }
    // Real long polling: hold the request until an update arrives, the timeout passes, or the client leaves.
    this.#held.add(res);
    this.state.record(call); // visible to waitFor while held (status 0 until answered)
    const finish = () => {
      clearTimeout(timer);
      off();
      this.#wakeHeld.delete(finish);
      if (!this.#held.delete(res)) return;
      if (this.faults.conflicting) return answer(fail(409, CONFLICT));
      answer({ status: 200, body: { ok: true, result: this.state.takeUpdates(offset, limit) } });
    };
    const timer = setTimeout(finish, timeoutSec * 1000);
    const off = this.state.onUpdate(finish);
    this.#wakeHeld.add(finish);
    res.on('close', () => {
      clearTimeout(timer);
      off();
      this.#wakeHeld.delete(finish);
      this.#held.delete(res);
    });
  }
}

export async function startFakeTelegram(
  opts: Partial<FakeTelegramOptions> = {},
  port = 0,
): Promise<FakeTelegram> {
  const fake = new FakeTelegram({ ...DEFAULTS, ...opts });
  await fake.listen(port);
  return fake;
}
