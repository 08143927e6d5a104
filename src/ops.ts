import type { Config } from './config.ts';
import { createHealth, type Health } from './health.ts';
import { createHttpServer, type HttpServer, metricsHandler } from './http.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { Logger, Secrets } from './secrets.ts';
import type { StatePort } from './store/state.ts';

// What an operator and a load balancer see of one instance: the HTTP server on PORT (/healthz, /readyz,
// webhooks), readiness, the metrics registry, and where /metrics is served. Built once by app.ts.
//
// /metrics is served without a token only on METRICS_PORT, which is meant for a private network (Fly's
// [metrics] scraper reaches it over the private network; the load balancer does not publish it). On the public
// PORT it is served only behind METRICS_TOKEN; with neither set it is off.

export interface Ops {
  health: Health;
  metrics: Metrics;
  /** The server on PORT; app.ts decides whether it listens (the terminal chat: only when PORT is set). */
  http: HttpServer;
  /** Starts the METRICS_PORT listener when configured. */
  listenMetrics(): Promise<void>;
  /** Closes both servers. */
  close(): Promise<void>;
}

export interface OpsOptions {
  config: Config;
  logger: Logger;
  secrets: Secrets;
  version: string;
  /** The store's state port once it is open (readiness probes it). */
  state(): StatePort | undefined;
}

export function createOps({ config, logger, secrets, version, state }: OpsOptions): Ops {
  secrets.add(config.METRICS_TOKEN);
  const metrics = createMetrics({ version });
  const health = createHealth({
    probeStore: async () => {
      const s = state();
      if (!s) throw new Error('the store is not open');
      return s.get('health:probe');
    },
    storeTimeoutMs: config.READY_TIMEOUT_MS,
    logger,
    secrets,
  });
  const http = createHttpServer(logger, { health, metrics, secrets });
  const serveMetrics = metricsHandler(metrics, { token: config.METRICS_TOKEN, logger });
  let metricsHttp: HttpServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    metricsHttp = createHttpServer(logger, { secrets });
    metricsHttp.mount('/metrics', serveMetrics);
  } else if (config.METRICS_TOKEN) {
    http.mount('/metrics', serveMetrics);
  }
  return {
    health,
    metrics,
    http,
    async listenMetrics() {
      if (!metricsHttp) {
        if (!config.METRICS_TOKEN) logger.debug({}, '/metrics is off: set METRICS_PORT or METRICS_TOKEN');
        return;
      }
      // Not `port`: the startup line tests and tools read for PORT stays the only one.
      const metricsPort = await metricsHttp.listen(config.METRICS_PORT ?? 0);
      logger.info({ metricsPort }, 'metrics server listening');
    },
    async close() {
      await http.close();
      await metricsHttp?.close();
    },
  };
}
