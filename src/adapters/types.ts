import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { MetricsPort } from '../core/metrics-port.ts';
import type { Engine } from '../core/ports.ts';
import type { HealthReporter } from '../health.ts';
import type { Logger, Secrets } from '../secrets.ts';
import type { StatePort } from '../store/state.ts';

/** What main hands every platform adapter. */
export interface AdapterDeps {
  engine: Engine;
  config: Config;
  logger: Logger;
  secrets: Secrets;
  /** The bot's state store (e.g. remembered Telegram update ids). */
  state: StatePort;
  /** Serves a path on main's HTTP server (PORT), e.g. a Telegram webhook. */
  mount(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** Readiness (/readyz): report 'ok' once connected/polling/serving, 'down' with a short reason when not. */
  health?: HealthReporter;
  /** Platform API errors and retries for /metrics. */
  metrics?: MetricsPort;
  /** This process among the instances sharing the store (core/instance.ts): the holder id of its leases. */
  instanceId?: string;
  /** For tests: lets a test drive the real library against a fake server. */
  signal?: AbortSignal;
}

export interface AdapterHandle {
  /** Stops taking updates (polling, gateway), lets in-flight work be persisted by the engine. */
  stop(): Promise<void>;
}
