import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

// A pass-through HTTP proxy on 127.0.0.1 that holds every request for `delayMs` before forwarding it:
// makes each backend call slow without touching the fake backend.

export interface SlowProxy {
  url: string;
  delayMs: number;
  close(): Promise<void>;
}

export async function startSlowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const to = new URL(target);
  const proxy: SlowProxy = { url: '', delayMs, close: async () => {} };
  const server = createServer((req, res) => {
    setTimeout(() => {
      const out = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: to.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    }, proxy.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
