// A lean fake NemoVideo for the benchmarks: the routes the bot calls in a turn, a "credits" command and an
// export, with the real wire shapes (business envelope, ADK SSE events, render proxy shape A), but none of the
// test fake's recording, so it costs little at thousands of streams. The agent is driven by the bench: each
// /run_sse stream is handed to `onChat`, which answers at once (the default) or holds it (heartbeats go out
// meanwhile) and answers later — all streams at the same instant, for the "500 chats at once" burst.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatedDraft } from '../../test/fakes/nemo/draft.ts';
import { mp4Cache } from '../../test/fakes/nemo/mp4.ts';
import { adkJson } from '../../test/fakes/nemo/sse.ts';

export interface AgentStream {
  /** The chat number the prompt carries as `#<n>` (the bench puts it there), or -1. */
  tag: number;
  text: string;
  /** performance.now() when the stream opened. */
  opened: number;
  /** Writes the agent's complete text event and ends the stream; performance.now() right after the write. */
  answer(text: string): number;
  readonly closed: boolean;
}

const CHUNK_EVERY = 10;

export class LeanNemo {
  url = '';
  readonly counts = new Map<string, number>();
  connections = 0;
  /** Decides what each agent stream does; by default it answers at once. */
  onChat: (s: AgentStream) => void = (s) => void s.answer(`Reply to #${s.tag}.`);
  /** SSE heartbeat interval of held streams (an empty `data:` line, as the gateway sends). */
  heartbeatMs = 5_000;
  /** Size of the MP4 a finished render serves (a valid MP4 grown with a `free` box). */
  mp4Bytes = 0;
  /** Called with performance.now() right after the poll answer that says "completed" was written. */
  onRenderCompleted: ((id: string, at: number) => void) | undefined;
  /** Called with performance.now() when an MP4 download request arrives. */
  onDownload: ((at: number) => void) | undefined;
  readonly #mp4 = mp4Cache();
  readonly #open = new Set<ServerResponse>();
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #server = createServer((req, res) => {
    this.#handle(req, res).catch((err: unknown) => {
      process.stderr.write(`lean NemoVideo: ${String(err)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async listen(): Promise<void> {
    this.#server.on('connection', () => {
      this.connections++;
    });
    this.#server.keepAliveTimeout = 60_000;
    this.#server.headersTimeout = 0;
    this.#server.requestTimeout = 0;
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    // One timer for every held stream, a tenth of them per tick, so heartbeats are spread like real ones.
    this.#timer = setInterval(() => this.#beat(), Math.max(1, this.heartbeatMs / CHUNK_EVERY));
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** Agent streams open right now. */
  get open(): number {
    return this.#open.size;
  }

  count(route: string): number {
    return this.counts.get(route) ?? 0;
  }

  #beat(): void {
    const slot = this.#tick++ % CHUNK_EVERY;
    let i = 0;
    for (const res of this.#open) if (i++ % CHUNK_EVERY === slot) res.write('data:\n\n');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(req);
    const route = routeOf(req.method ?? 'GET', path);
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
    switch (route) {
      case 'token':
        return ok(res, { token: `nmv_usr_${randomUUID()}`, user_id: 'anon_bench', credits: 1_000_000 });
      case 'session': {
        const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
        return ok(res, { task_id: `task_${id}`, session_id: id, user_id: 'usr_bench' });
      }
      case 'credits':
        return ok(res, { available: 1_000_000, frozen: 0, total: 1_000_000 });
      case 'state':
        return ok(res, {
          state: {
            draft: generatedDraft('a bench promo', `${this.url}/files/clip.mp4`, false),
            video_infos: [],
            canvas_config: { width: 1080, height: 1920, ratio: '9:16', fps: 30 },
            generated_media: [],
          },
          user_id: 'usr_bench',
        });
      case 'chat':
        return this.#chat(res, body);
      case 'render': {
        const id = String((JSON.parse(body.toString('utf8')) as { id?: unknown }).id ?? randomUUID());
        return json(res, 200, { success: true, data: { id, status: 'pending', progress: 0 } });
      }
      case 'poll': {
        const id = decodeURIComponent(path.split('/').at(-1) ?? '');
        const outputUrl = `${this.url}/files/${encodeURIComponent(id)}.mp4`;
        json(res, 200, { success: true, data: { id, status: 'completed', progress: 100, outputUrl } });
        this.onRenderCompleted?.(id, performance.now());
        return;
      }
      case 'file':
      case 'download': {
        this.onDownload?.(performance.now());
        const bytes = this.#mp4(this.mp4Bytes);
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
        return void res.end(bytes);
      }
      default:
        return json(res, 404, { detail: 'Not Found' });
    }
  }

  #chat(res: ServerResponse, body: Buffer): void {
    const parsed = JSON.parse(body.toString('utf8')) as {
      new_message?: { parts?: Array<{ text?: string }> };
    };
    const text = (parsed.new_message?.parts ?? []).map((p) => p.text ?? '').join('');
    const tag = Number(/#(\d+)/.exec(text)?.[1] ?? -1);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    this.#open.add(res);
    let closed = false;
    const done = () => {
      closed = true;
      this.#open.delete(res);
    };
    res.on('close', done);
    const invocation = `e-${randomUUID()}`;
    this.onChat({
      tag,
      text,
      opened: performance.now(),
      answer: (reply) => {
        if (!closed) {
          res.write(`data: ${JSON.stringify(adkJson({ kind: 'text', text: reply }, invocation))}\n\n`);
          res.end();
        }
        const at = performance.now();
        done();
        return at;
      },
      get closed() {
        return closed;
      },
    });
  }
}

function routeOf(method: string, path: string): string {
  if (method === 'POST' && path === '/run_sse') return 'chat';
  if (path.startsWith('/files/')) return 'file';
  if (path === '/api/auth/anonymous-token') return 'token';
  if (path === '/api/tasks/me/with-session/nemo_agent') return 'session';
  if (path === '/api/credits/balance/simple') return 'credits';
  if (/^\/api\/state\/nemo_agent\/me\/[^/]+\/latest$/.test(path)) return 'state';
  if (method === 'POST' && path === '/api/render/proxy/lambda') return 'render';
  if (/^\/api\/render\/proxy\/lambda\/[^/]+$/.test(path)) return 'poll';
  if (/^\/api\/render\/proxy\/[^/]+\/download$/.test(path)) return 'download';
  return 'unknown';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const ok = (res: ServerResponse, data: unknown) => json(res, 200, { code: 0, message: 'success', data });
