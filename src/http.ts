import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from './health.ts';
import type { Metrics } from './metrics.ts';
import type { Logger, Secrets } from './secrets.ts';

// main's HTTP server on PORT: /healthz (alive) and /readyz (may a load balancer send work here?) for the host
// (Fly.io, Docker's HEALTHCHECK), /metrics where app.ts mounts it, and whatever paths adapters mount
// (a Telegram webhook). Everything else is a 404.

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServer {
  mount(path: string, handler: Handler): void;
  /** Listens on 0.0.0.0:port; resolves with the bound port. */
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

export interface HttpOptions {
  /** Serves /readyz from it; without it /readyz is a 404 (a server that only carries /metrics). */
  health?: Health;
  /** Counts every answered request by route and status. */
  metrics?: Metrics;
  /** A mounted path may carry a secret (a webhook path with the token in it): route labels are redacted. */
  secrets?: Secrets;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

export function createHttpServer(logger: Logger, opts: HttpOptions = {}): HttpServer {
  const routes = new Map<string, Handler>();
  const { health, metrics } = opts;
  const redact = (path: string) => opts.secrets?.redact(path) ?? path;
  const readable = (req: IncomingMessage) => req.method === 'GET' || req.method === 'HEAD';

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = routes.get(path);
    if (metrics) {
      const started = process.hrtime.bigint();
      // Only known paths become labels: a scanner's random paths would grow the registry without bound.
      const known = handler || path === '/healthz' || (health && path === '/readyz');
      const route = known ? redact(path) : 'other';
      const method = METHODS.has(req.method ?? '') ? (req.method as string) : 'other';
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpRequest(route, method, res.statusCode, seconds);
      });
    }
    if (path === '/healthz' && readable(req)) return json(res, 200, { ok: true });
    if (path === '/readyz' && health && readable(req)) {
      return void health.readiness().then(
        (r) => json(res, r.ready ? 200 : 503, { ok: r.ready, checks: r.checks }),
        (err: unknown) => {
          logger.error({ err }, 'readiness failed');
          json(res, 503, { ok: false });
        },
      );
    }
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

/**
 * GET /metrics: the Prometheus text of `metrics`. With `token`, only for `Authorization: Bearer <token>`
 * (compared in constant time); the header's value is never logged, right or wrong.
 */
export function metricsHandler(
  metrics: Metrics,
  opts: { token?: string | undefined; logger: Logger },
): Handler {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = opts.token === undefined ? undefined : digest(opts.token);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (expected) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (!given || !timingSafeEqual(digest(given), expected)) {
        opts.logger.debug({ path: '/metrics', credentials: given ? 'wrong' : 'missing' }, 'http 401');
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' });
        res.end('unauthorized\n');
        return;
      }
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'rendering metrics failed');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  };
}
