import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './secrets.ts';

// main's HTTP server on PORT: the health check for the host (Fly.io) and whatever paths adapters mount
// (a Telegram webhook). Everything else is a 404.

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServer {
  mount(path: string, handler: Handler): void;
  /** Listens on 0.0.0.0:port; resolves with the bound port. */
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

export function createHttpServer(logger: Logger): HttpServer {
  const routes = new Map<string, Handler>();
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD'))
      return json(res, 200, { ok: true });
    const handler = routes.get(path);
    if (handler) return handler(req, res);
    // The path only: a webhook path may carry a secret in its query.
    logger.debug({ method: req.method, path }, 'http 404');
    json(res, 404, { ok: false, error: 'not found' });
  });
  return {
    mount(path, handler) {
      routes.set(path, handler);
    },
    listen(port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
