import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { guildPayload, snowflake, userPayload } from './payloads.ts';
import type { DiscordState } from './state.ts';

// The gateway (v10, JSON, no compression): HELLO → IDENTIFY (token checked: close 4004) → READY with the
// application and the unavailable guilds → one GUILD_CREATE per guild (discord.js waits for them before
// `clientReady`), heartbeat ACKs, then dispatches pushed by the test helpers.
// Like Discord, it lets several sessions of one bot (one shard) be open at once and sends every event to each
// (which is why the bot elects one holder); a second IDENTIFY on one connection is closed with 4005. It
// counts the sessions open now and the most ever open at once, so a test can assert there was never more
// than one.

export const Intents = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export class Gateway {
  readonly #wss: WebSocketServer;
  #sockets = new Set<WebSocket>();
  /** Identified sessions, oldest first, each with its own sequence number. */
  #sessions = new Map<WebSocket, { seq: number }>();
  /** The most sessions ever identified at the same time. */
  maxSessions = 0;

  constructor(
    server: Server,
    private readonly state: DiscordState,
    private readonly url: () => string,
  ) {
    this.#wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws));
    });
  }

  get connected(): boolean {
    return this.#sessions.size > 0;
  }

  /** Sessions identified and open now. */
  get sessions(): number {
    return this.#sessions.size;
  }

  #send(ws: WebSocket, payload: object): void {
    ws.send(JSON.stringify(payload));
  }

  #open(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => {
      this.#sockets.delete(ws);
      if (this.#sessions.delete(ws)) this.state.changed();
    });
    this.#send(ws, {
      op: 10,
      d: { heartbeat_interval: this.state.options.heartbeatIntervalMs },
      s: null,
      t: null,
    });
    ws.on('message', (raw) => {
      let msg: { op: number; d: unknown };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.#onMessage(ws, msg);
    });
  }

  #onMessage(ws: WebSocket, msg: { op: number; d: unknown }): void {
    const { options } = this.state;
    switch (msg.op) {
      case 1:
        this.state.heartbeats += 1;
        this.#send(ws, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        if (this.#sessions.has(ws)) {
          ws.close(4005, 'Already authenticated.');
          return;
        }
        const d = msg.d as { token: string; intents: number };
        if (d.token !== options.token || options.identifyCloseCode === 4004) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        if (options.identifyCloseCode) {
          ws.close(options.identifyCloseCode, 'Refused by the test.');
          return;
        }
        this.state.identify = { token: d.token, intents: d.intents };
        this.#sessions.set(ws, { seq: 0 });
        this.maxSessions = Math.max(this.maxSessions, this.#sessions.size);
        this.#send1(ws, 'READY', {
          v: 10,
          user: { ...userPayload(options.bot), bot: true, verified: true, flags: 0, mfa_enabled: false },
          guilds: options.guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: snowflake(),
          resume_gateway_url: this.url(),
          shard: [0, 1],
          application: { id: options.applicationId, flags: 0 },
        });
        for (const g of options.guilds) this.#send1(ws, 'GUILD_CREATE', guildPayload(g, options.bot));
        this.state.changed();
        return;
      }
      case 6:
        // Resume is not supported: ask for a fresh IDENTIFY.
        this.#send(ws, { op: 9, d: false, s: null, t: null });
        return;
      default:
        return;
    }
  }

  #send1(ws: WebSocket, t: string, d: unknown): void {
    const session = this.#sessions.get(ws);
    if (!session) return;
    session.seq += 1;
    this.#send(ws, { op: 0, t, s: session.seq, d });
  }

  #dispatch(t: string, d: unknown): void {
    if (this.#sessions.size === 0) throw new Error('fake Discord: no identified gateway connection');
    for (const ws of this.#sessions.keys()) this.#send1(ws, t, d);
  }

  /** Sends an event to the identified bot; throws when the bot is not connected. */
  dispatch(t: string, d: unknown): void {
    this.#dispatch(t, d);
  }

  intents(): number {
    return this.state.identify?.intents ?? 0;
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
