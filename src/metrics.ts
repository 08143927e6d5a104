import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsPort } from './core/metrics-port.ts';

// The bot's Prometheus registry (prom-client): what the core reports through MetricsPort, the HTTP server's
// requests, and Node's default process metrics. One registry per bot (no prom-client global), so tests and
// several bots in one process never share counters.

export interface Metrics {
  /** Handed to the core and the adapters. */
  port: MetricsPort;
  /** The HTTP server reports each answered request; `route` is a known path or 'other'. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  registry: Registry;
}

const PREFIX = 'nemo_bot_';
/** A turn takes 5–300 s, its budget is 15 min. */
const TURN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900];
/** A render polls every 30 s up to 10 times by default; the post adds an upload. */
const RENDER_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200];
const LATENESS_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60];
const HTTP_BUCKETS = [0.005, 0.025, 0.1, 0.5, 2, 10];

const PLATFORMS: Record<string, string> = { tg: 'telegram', dc: 'discord', term: 'terminal' };

/**
 * Long digit runs are ids (Discord snowflakes, Telegram chat ids): one label value, not one per chat. Long
 * opaque runs are tokens (a Discord interaction or webhook token in a route): never published.
 */
const label = (value: string | number): string =>
  String(value)
    .replace(/[\w-]{30,}/g, ':token')
    .replace(/\d{5,}/g, ':id')
    .slice(0, 80);

export function createMetrics(opts: { version: string }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: `${PREFIX}info`,
    help: 'Always 1; the version label tells which release an instance runs (rolling deploys).',
    labelNames: ['version'],
    registers,
  }).set({ version: opts.version }, 1);

  const turns = new Counter({
    name: `${PREFIX}turns_total`,
    help: 'Agent turns that ended, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const turnsActive = new Gauge({
    name: `${PREFIX}turns_active`,
    help: 'Agent turns running now.',
    registers,
  });
  const turnSeconds = new Histogram({
    name: `${PREFIX}turn_duration_seconds`,
    help: 'Duration of agent turns, by outcome.',
    labelNames: ['outcome'],
    buckets: TURN_BUCKETS,
    registers,
  });
  const exports = new Counter({
    name: `${PREFIX}exports_total`,
    help: 'Export jobs that ended, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const exportsActive = new Gauge({
    name: `${PREFIX}exports_active`,
    help: 'Export jobs running in this instance now.',
    registers,
  });
  const renderSeconds = new Histogram({
    name: `${PREFIX}render_duration_seconds`,
    help: 'Duration of export jobs (render, download, post), by outcome.',
    labelNames: ['outcome'],
    buckets: RENDER_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}errors_total`,
    help: 'Errors users were told about, by error code.',
    labelNames: ['code'],
    registers,
  });
  const streams = new Gauge({
    name: `${PREFIX}open_streams`,
    help: 'Agent SSE streams to NemoVideo open now.',
    registers,
  });
  const depths = new Map<string, number>();
  new Gauge({
    name: `${PREFIX}queued_prompts`,
    help: 'Prompts waiting behind a running turn, summed over the chats of each platform.',
    labelNames: ['platform'],
    registers,
    collect() {
      this.reset();
      for (const [address, n] of depths) this.inc({ platform: platformOf(address) }, n);
    },
  });
  new Gauge({
    name: `${PREFIX}queue_depth_max`,
    help: 'The longest queue of waiting prompts in any one chat.',
    registers,
    collect() {
      this.set(Math.max(0, ...depths.values()));
    },
  });
  const lateness = new Histogram({
    name: `${PREFIX}heartbeat_lateness_seconds`,
    help: 'How much later than planned heartbeats fired (event-loop stalls, a slow store).',
    buckets: LATENESS_BUCKETS,
    registers,
  });
  const platformErrors = new Counter({
    name: `${PREFIX}platform_api_errors_total`,
    help: 'Failed Telegram/Discord API calls, by platform, method and error code.',
    labelNames: ['platform', 'method', 'code'],
    registers,
  });
  const platformRetries = new Counter({
    name: `${PREFIX}platform_api_retries_total`,
    help: 'Retried Telegram/Discord API calls (429, 5xx), by platform and method.',
    labelNames: ['platform', 'method'],
    registers,
  });
  const takeovers = new Counter({
    name: `${PREFIX}lease_takeovers_total`,
    help: 'Leases this instance took over from a holder that was gone, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const httpSeconds = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to answer HTTP requests, by route.',
    labelNames: ['route'],
    buckets: HTTP_BUCKETS,
    registers,
  });

  const seconds = (ms: number) => Math.max(0, ms) / 1000;
  const port: MetricsPort = {
    turnStarted: () => turnsActive.inc(),
    turnEnded(ms, outcome) {
      turnsActive.dec();
      turns.inc({ outcome: label(outcome) });
      turnSeconds.observe({ outcome: label(outcome) }, seconds(ms));
    },
    exportStarted: () => exportsActive.inc(),
    exportEnded(ms, outcome) {
      exportsActive.dec();
      exports.inc({ outcome: label(outcome) });
      renderSeconds.observe({ outcome: label(outcome) }, seconds(ms));
    },
    errorCode: (code) => errors.inc({ code: label(code) }),
    streamOpened: () => streams.inc(),
    streamClosed: () => streams.dec(),
    queueDepth(address, depth) {
      if (depth > 0) depths.set(address, depth);
      else depths.delete(address);
    },
    heartbeatLateness: (ms) => lateness.observe(seconds(ms)),
    platformError: (platform, method, code) =>
      platformErrors.inc({ platform: label(platform), method: label(method), code: label(code) }),
    platformRetry: (platform, method) =>
      platformRetries.inc({ platform: label(platform), method: label(method) }),
    leaseTakeover: (kind) => takeovers.inc({ kind: label(kind) }),
  };

  return {
    port,
    registry,
    httpRequest(route, method, status, secs) {
      httpRequests.inc({ route, method, status: String(status) });
      httpSeconds.observe({ route }, secs);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function platformOf(address: string): string {
  const i = address.indexOf(':');
  return PLATFORMS[i < 0 ? address : address.slice(0, i)] ?? 'other';
}
