import { connect, createServer, type Server, type Socket } from 'node:net';

// A TCP front for the fake NemoVideo: the bot's NEMO_API_URL points here, every byte is piped to the fake.
// An outage is made at the socket level, the way an operator meets one: the port refuses connections
// (listener closed, reopened on the same port later) or accepts and resets them. Established connections
// (undici's keep-alive sockets, a poll in flight) are reset when an outage starts.
// Render output URLs point at the fake itself (the CDN), which stays up, as a real CDN does.

export type OutageMode = 'refuse' | 'reset';

export class TcpFront {
  #server: Server;
  #port = 0;
  #sockets = new Set<Socket>();
  #resetting = false;
  #timer: NodeJS.Timeout | undefined;
  /** Outages so far, for the report. */
  readonly outages: Array<{ mode: OutageMode; ms: number; at: number }> = [];

  private constructor(private readonly target: number) {
    this.#server = this.#newServer();
  }

  static async start(targetUrl: string): Promise<TcpFront> {
    const front = new TcpFront(Number(new URL(targetUrl).port));
    await front.#listen(0);
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Connections in the window are refused (`refuse`) or reset on arrival (`reset`); resolves when it ends. */
  async outage(mode: OutageMode, ms: number): Promise<void> {
    this.outages.push({ mode, ms, at: Date.now() });
    for (const s of this.#sockets) s.resetAndDestroy();
    if (mode === 'reset') this.#resetting = true;
    else await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#timer = setTimeout(resolve, ms);
    });
    if (mode === 'reset') this.#resetting = false;
    else {
      this.#server = this.#newServer();
      await this.#listen(this.#port);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    for (const s of this.#sockets) s.destroy();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #newServer(): Server {
    return createServer((client) => {
      if (this.#resetting) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: this.target });
      this.#sockets.add(client);
      const drop = () => {
        this.#sockets.delete(client);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
      client.on('close', drop);
      upstream.on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as { port: number }).port;
        resolve();
      });
    });
  }
}
