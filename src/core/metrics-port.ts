// What the core reports for /metrics. A port, so the core never imports prom-client: src/metrics.ts
// implements it over a Prometheus registry, `noopMetrics` stands in for tests and the terminal chat.
// Label values must come from small fixed sets (outcomes, error codes, platform method names): a chat
// address or a user's text as a label would grow the registry without bound and publish who talks to the bot.

/** How a turn or an export ended, e.g. 'done', 'error', 'cancelled', 'shutdown', 'stuck', 'recovered'. */
export type Outcome = string;

export interface MetricsPort {
  /** An agent turn started running (it left the queue). */
  turnStarted(): void;
  /** It ended; `durationMs` from turnStarted. */
  turnEnded(durationMs: number, outcome: Outcome): void;
  /** An export job started (render created or resumed). */
  exportStarted(): void;
  /** It ended (posted, failed, gave up); `durationMs` is the render-and-post time this process saw. */
  exportEnded(durationMs: number, outcome: Outcome): void;
  /** An error a user was told about, by its code (the i18n key family): 'nemo_unreachable', 'no_credits', … */
  errorCode(code: string): void;
  /** An SSE stream to NemoVideo opened / closed (however it ended). */
  streamOpened(): void;
  streamClosed(): void;
  /** Prompts now waiting in this chat's lane (0 when it emptied); aggregated per platform, never per chat. */
  queueDepth(address: string, depth: number): void;
  /** How much later than planned a heartbeat (user "still working" or owner/lease renewal) fired. */
  heartbeatLateness(ms: number): void;
  /** A platform API call failed: platform 'telegram' | 'discord', the API method, the platform's code or status. */
  platformError(platform: string, method: string, code: string | number): void;
  /** A platform API call was retried (429 retry_after, 5xx). */
  platformRetry(platform: string, method: string): void;
  /** This instance took over a lease whose holder was gone: kind 'chat' | 'export' | 'turn' | 'gateway'. */
  leaseTakeover(kind: string): void;
}

const nothing = () => {};

/** Counts nothing: the default when no registry is wired (tests, the terminal chat without PORT). */
export const noopMetrics: MetricsPort = {
  turnStarted: nothing,
  turnEnded: nothing,
  exportStarted: nothing,
  exportEnded: nothing,
  errorCode: nothing,
  streamOpened: nothing,
  streamClosed: nothing,
  queueDepth: nothing,
  heartbeatLateness: nothing,
  platformError: nothing,
  platformRetry: nothing,
  leaseTakeover: nothing,
};
