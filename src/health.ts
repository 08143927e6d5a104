import type { Logger, Secrets } from './secrets.ts';

// Readiness for /readyz: may a load balancer send this instance work? Yes when the store answers a cheap
// round trip in time, every started adapter says it is connected (or polling, or serving its webhook), and
// the process is not draining. Adapters report through `HealthReporter`, which app.ts hands them; they never
// see the HTTP server. /healthz (alive) needs none of this: the process answering is the whole check.

export type CheckStatus = 'ok' | 'down';

/** What an adapter gets: report its connection state whenever it changes. */
export interface HealthReporter {
  /** `reason` is a short fixed phrase ('starting', 'gateway disconnected', 'polling stopped: 409'), never a token or URL. */
  report(check: string, status: CheckStatus, reason?: string): void;
}

export interface CheckResult {
  status: CheckStatus;
  reason?: string;
}

export interface ReadyReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export interface Health extends HealthReporter {
  /** Marks a check as expected and down ('starting') until its owner reports ok. */
  expect(check: string): void;
  /** From now on, not ready: after SIGTERM a load balancer must stop sending at once. */
  drain(): void;
  readonly draining: boolean;
  /** Runs the store probe (shared by concurrent callers) and gathers every check. */
  readiness(): Promise<ReadyReport>;
}

export interface HealthOptions {
  /** A cheap state-port round trip, e.g. `() => state.get('health:probe')`. */
  probeStore: () => Promise<unknown>;
  /** How long the store may take before it counts as down. */
  storeTimeoutMs: number;
  logger: Logger;
  /** Adapter reasons pass through it: whatever an adapter says, no secret leaves in a /readyz body. */
  secrets: Secrets;
}

export function createHealth(opts: HealthOptions): Health {
  const reported = new Map<string, CheckResult>();
  let draining = false;
  let probing: Promise<CheckResult> | undefined;
  let storeWasOk = true;

  const probe = async (): Promise<CheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.storeTimeoutMs);
    });
    try {
      const outcome = await Promise.race([opts.probeStore().then(() => 'ok' as const), late]);
      if (outcome === 'ok') return { status: 'ok' };
      return { status: 'down', reason: `no answer within ${opts.storeTimeoutMs} ms` };
    } catch (err) {
      // The detail goes to the log (redacted there); the public body says only what kind of failure.
      if (storeWasOk) opts.logger.warn({ err: errText(err) }, 'readiness: the store failed its probe');
      return { status: 'down', reason: 'store error' };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    report(check, status, reason) {
      const r: CheckResult = { status };
      if (reason) r.reason = opts.secrets.redact(reason).slice(0, 120);
      const before = reported.get(check)?.status;
      reported.set(check, r);
      if (before !== status) opts.logger.info({ check, status, reason: r.reason }, 'readiness changed');
    },
    expect(check) {
      if (!reported.has(check)) reported.set(check, { status: 'down', reason: 'starting' });
    },
    drain() {
      if (!draining) opts.logger.info({}, 'draining: /readyz answers 503 from now on');
      draining = true;
    },
    get draining() {
      return draining;
    },
    async readiness() {
      probing ??= probe().finally(() => {
        probing = undefined;
      });
      const store = await probing;
      if (store.status === 'ok' && !storeWasOk) opts.logger.info({}, 'readiness: the store answers again');
      storeWasOk = store.status === 'ok';
      const checks: Record<string, CheckResult> = {
        store,
        ...Object.fromEntries(reported),
        draining: draining ? { status: 'down', reason: 'shutting down' } : { status: 'ok' },
      };
      return { ready: Object.values(checks).every((c) => c.status === 'ok'), checks };
    },
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
