import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBody, sendJson } from './body.ts';
import { Gateway, Intents } from './gateway.ts';
import { type HttpAnswer, type PostOptions, signedPost, signingKeys } from './interactions.ts';
import { snowflake } from './payloads.ts';
import { handleRest, type RestRequest } from './rest.ts';
import { DiscordState, type InjectedRateLimit } from './state.ts';
import type { FakeDiscordOptions, FakeInteraction, FakeMessage, RestCall } from './types.ts';
import { type ActAs, UserActions } from './users.ts';

// A wire-level fake of Discord on 127.0.0.1: REST under /api/v10 (pass `${fake.url}` as DISCORD_API_URL),
// the gateway over WebSocket (its URL comes from GET /gateway/bot, as with the real service) and a small
// CDN under /cdn/attachments. discord.js runs against it unmodified. With `options.interactionsUrl` set it
// POSTs interactions to the bot's endpoint, signed, as Discord's HTTP interactions (interactions.ts).

export type { Ctx, FakeInteraction, FakeMessage, RestCall, UploadedAttachment } from './types.ts';
export { Intents };

export const DEFAULT_DISCORD: FakeDiscordOptions = {
  token: 'MTAwMDAwMDAwMDAwMDAwMDAx.FakeDc.discord-bot-token-for-tests-only',
  applicationId: '100000000000000001',
  bot: { id: '100000000000000001', username: 'NemoVideo', bot: true },
  guilds: [
    {
      id: '200000000000000001',
      name: 'Video Makers',
      channels: [
        { id: '300000000000000001', name: 'general', type: 0 },
        { id: '300000000000000002', name: 'renders', type: 0 },
        { id: '300000000000000003', name: 'a-thread', type: 11, parentId: '300000000000000001' },
      ],
    },
  ],
  heartbeatIntervalMs: 41_250,
  interactionTtlMs: 15 * 60_000,
  ackWindowMs: 3_000,
  attachmentSizeLimit: 10 * 1024 * 1024,
  maxUploadBytes: 25 * 1024 * 1024,
};

export class FakeDiscord extends UserActions {
  readonly #server: Server;
  readonly #gateway: Gateway;
  readonly #keys: { privateKey: KeyObject; publicKeyHex: string };
  #port = 0;

  constructor(options: FakeDiscordOptions) {
    const state = new DiscordState(options);
    const server = createServer((req, res) => {
      this.#route(req, res).catch((e: unknown) => {
        process.stderr.write(`fake Discord: handler failed: ${String(e)}\n`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const gateway = new Gateway(server, state, () => `ws://127.0.0.1:${this.#port}/gateway`);
    super(
      state,
      gateway,
      () => `http://127.0.0.1:${this.#port}`,
      () => this.#keys.privateKey,
    );
    this.#server = server;
    this.#gateway = gateway;
    this.#keys = signingKeys(options.signingKey);
  }

  /** The application's public key as the Developer Portal shows it (hex): the bot's DISCORD_PUBLIC_KEY. */
  get publicKey(): string {
    return this.#keys.publicKeyHex;
  }

  /** Gateway sessions identified and open now, and the most ever open at once. */
  get sessions(): { now: number; max: number } {
    return { now: this.#gateway.sessions, max: this.#gateway.maxSessions };
  }

  /** POSTs any body to an endpoint, signed as Discord signs interactions (options forge or age it). */
  post(url: string, payload: unknown, opts: PostOptions = {}): Promise<HttpAnswer> {
    return signedPost(url, this.#keys.privateKey, payload, opts);
  }

  /**
   * What the Developer Portal does when the Interactions Endpoint URL is saved: a signed PING must get a PONG
   * and a PING with a bad signature must get 401, else the URL is refused.
   */
  async checkEndpoint(url: string): Promise<boolean> {
    const ping = {
      id: snowflake(),
      application_id: this.options.applicationId,
      type: 1,
      token: 'x',
      version: 1,
    };
    const good = await this.post(url, ping);
    const forged = await this.post(url, ping, { signWith: signingKeys().privateKey });
    return good.status === 200 && (good.body as { type?: number })?.type === 1 && forged.status === 401;
  }

  /** `http://127.0.0.1:<port>/api`: pass as DISCORD_API_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }
  get options(): FakeDiscordOptions {
    return this.state.options;
  }
  get token(): string {
    return this.state.options.token;
  }
  get calls(): RestCall[] {
    return this.state.calls;
  }
  get messages(): FakeMessage[] {
    return this.state.messagesIn();
  }
  get interactions(): FakeInteraction[] {
    return [...this.state.interactions.values()];
  }
  get commands(): Map<string, unknown[]> {
    return this.state.commands;
  }
  get identify(): { token: string; intents: number } | undefined {
    return this.state.identify;
  }
  get heartbeats(): number {
    return this.state.heartbeats;
  }
  get connected(): boolean {
    return this.#gateway.connected;
  }

  /** The next `times` requests matching `route` (`METHOD /path`) get 429 with Retry-After. */
  rateLimit(route: RegExp, times = 1, retryAfterSec = 0.05): void {
    const limit: InjectedRateLimit = { route, times, retryAfterSec };
    this.state.rateLimits.push(limit);
  }

  #holds: Array<{ route: RegExp; times: number; when: 'before' | 'after' }> = [];

  /**
   * The next `times` requests matching `route` (`METHOD /path`) are never answered: `before` they are processed
   * (an upload cut short: nothing created), or `after` (created, but the answer is lost: the bot cannot know).
   */
  hold(route: RegExp, when: 'before' | 'after', times = 1): void {
    this.#holds.push({ route, times, when });
  }

  #takeHold(method: string, path: string): 'before' | 'after' | undefined {
    const hit = this.#holds.find((h) => h.times > 0 && h.route.test(`${method} ${path}`));
    if (hit) hit.times -= 1;
    return hit?.when;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname.startsWith('/cdn/attachments/')) {
      const file = this.state.cdn.get(url.pathname);
      if (!file) return this.#notFound(res, method, url.pathname);
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    if (!url.pathname.startsWith('/api/v10/')) return this.#notFound(res, method, url.pathname);
    const path = decodeURIComponent(url.pathname.slice('/api/v10'.length));
    // Discord reads the answer to its POST before a webhook call the bot makes after sending that answer.
    const answering = this.state.inFlight.get(/^\/webhooks\/\d+\/([^/]+)/.exec(path)?.[1] ?? '');
    if (answering) await answering;
    const { json, files } = await parseBody(req);
    const query = Object.fromEntries(url.searchParams);
    const call: RestCall = { method, path, query, body: json, files, status: 0, at: Date.now() };
    this.state.calls.push(call);
    const limited = this.state.takeRateLimit(method, path);
    if (limited) {
      call.status = 429;
      sendJson(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: limited.retryAfterSec, global: false },
        { 'retry-after': String(limited.retryAfterSec), 'x-ratelimit-scope': 'user' },
      );
      this.state.changed();
      return;
    }
    const held = this.#takeHold(method, path);
    if (held === 'before') return this.state.changed();
    const request: RestRequest = {
      method,
      path,
      query,
      auth: req.headers.authorization,
      body: json,
      files,
      gatewayUrl: `ws://127.0.0.1:${this.#port}/gateway`,
    };
    const answer = handleRest(this.state, request);
    if (held === 'after') return this.state.changed();
    call.status = answer.status;
    if (answer.status === 404 && (answer.body as { code?: number } | undefined)?.code === 0)
      process.stderr.write(`fake Discord: unknown route ${method} ${path}\n`);
    sendJson(res, answer.status, answer.body);
    this.state.changed();
  }

  #notFound(res: ServerResponse, method: string, path: string): void {
    process.stderr.write(`fake Discord: unknown route ${method} ${path}\n`);
    sendJson(res, 404, { message: '404: Not Found', code: 0 });
  }
}

export async function startFakeDiscord(
  options: Partial<FakeDiscordOptions> = {},
  port = 0,
): Promise<FakeDiscord> {
  const fake = new FakeDiscord({ ...DEFAULT_DISCORD, ...options });
  await fake.listen(port);
  return fake;
}

export type { ActAs };
