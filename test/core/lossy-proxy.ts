import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

// A pass-through HTTP proxy on 127.0.0.1 in front of the fake NemoVideo that can lose answers: the request
// reaches the backend and is processed there, but its answer never comes back (the connection is cut). That is
// the fault no fake switch can make, because the fake answers its faults before it processes anything.

export interface LossyProxy {
  url: string;
  /** Answers of requests matching `METHOD /path` to lose, `times` of them. */
  lose(route: RegExp, times?: number): void;
  /** Requests whose answer was lost. */
  readonly lost: string[];
  close(): Promise<void>;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const to = new URL(target);
  const rules: Array<{ route: RegExp; times: number }> = [];
  const lost: string[] = [];
  const server = createServer((req, res) => {
    const what = `${req.method} ${req.url}`;
    const rule = rules.find((r) => r.times > 0 && r.route.test(what));
    if (rule) rule.times -= 1;
    const out = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers } },
      (up) => {
        if (rule) {
          // Processed upstream; the answer is read and dropped, and the client's connection cut.
          up.resume();
          up.on('end', () => {
            lost.push(what);
            res.destroy();
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lose(route, times = 1) {
      rules.push({ route, times });
    },
    lost,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
