// This process among the instances sharing one store (docs/decisions.md decision 14), and the leases it holds.
// On Redis, an instance is alive while its liveness lease `instance:<id>` is renewed; every lease it takes
// (a chat's lane, an export job) is renewed by the same heartbeat, every third of INSTANCE_LEASE_MS, so all
// of them lapse together when the process dies. A survivor takes over a lease whose owner is gone at once
// (replaceLease: atomic, one winner) instead of waiting for its ttl. On memory or SQLite there is one process:
// an owner other than this instance is an earlier process, gone by definition.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../secrets.ts';
import type { Lease, StatePort } from '../store/state.ts';
import type { MetricsPort } from './metrics-port.ts';

/** A lease this instance holds and renews. */
export interface Held {
  readonly lease: Lease;
  /** Aborted (with a LeaseLost) when a renewal finds the lease gone: a stall outlived it, a survivor took it. */
  readonly lost: AbortSignal;
  /** The fencing check before a step that must happen once: true while this acquisition still holds it. */
  check(): Promise<boolean>;
  /** Gives the lease up (a no-op once lost). */
  release(): Promise<void>;
}

/** This instance no longer holds what it was working on: whoever took it finishes the work. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
  constructor(readonly key: string) {
    super(`lease lost: ${key}`);
  }
}

export const INSTANCES_CHANNEL = 'instances';

export interface InstanceOptions {
  state: StatePort;
  /** Several processes share the store (Redis). */
  shared: boolean;
  leaseMs: number;
  logger: Logger;
  now?: () => number;
  /** For tests; a fresh id per process otherwise (a restarted process is a new instance). */
  id?: string;
  /** Takeovers and heartbeat lateness for /metrics. */
  metrics?: Pick<MetricsPort, 'leaseTakeover' | 'heartbeatLateness'>;
}

/** What a lease guards, for the takeover metric: a chat's lane, an export job, a gone runner's turn. */
export type LeaseKind = 'chat' | 'export' | 'turn';

export class Instance {
  readonly id: string;
  readonly shared: boolean;
  readonly leaseMs: number;
  /** For health and metrics: work taken over from gone instances, and how late the last heartbeat ran. */
  readonly stats = { takeovers: 0, heartbeatLateMs: 0 };
  readonly #state: StatePort;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #metrics: InstanceOptions['metrics'];
  readonly #held = new Set<{ held: Held; renew(): Promise<void> }>();
  #liveness: Lease | undefined;
  #timer: NodeJS.Timeout | undefined;
  #beating = false;
  #nextBeat = 0;

  constructor(opts: InstanceOptions) {
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.shared = opts.shared;
    this.leaseMs = opts.leaseMs;
    this.#state = opts.state;
    this.#logger = opts.logger.child({ instance: this.id });
    this.#now = opts.now ?? Date.now;
    this.#metrics = opts.metrics;
  }

  get every(): number {
    return Math.max(1, Math.floor(this.leaseMs / 3));
  }

  async start(): Promise<void> {
    if (this.shared) {
      this.#liveness = await this.#state.acquireLease(this.#livenessKey(this.id), this.id, this.leaseMs);
      if (!this.#liveness) throw new Error(`instance id ${this.id} is already in use`);
    }
    this.#nextBeat = this.#now() + this.every;
    this.#timer = setInterval(() => void this.#beat(), this.every);
    this.#timer.unref();
    this.#logger.info({ shared: this.shared, leaseMs: this.leaseMs }, 'instance started');
  }

  /** Whether the instance `owner` is running. */
  async alive(owner: string): Promise<boolean> {
    if (owner === this.id) return true;
    if (!this.shared) return false;
    // A process of this host that no longer runs (a restart after SIGKILL) is gone now, not in a lease's time.
    if (exitedHere(owner)) return false;
    return (await this.#state.leaseHolder(this.#livenessKey(owner))) !== undefined;
  }

  /** Takes `key` when it is free or its holder is gone; undefined while a live instance (maybe this one) has it. */
  async take(key: string, kind: LeaseKind): Promise<Held | undefined> {
    let lease = await this.#state.acquireLease(key, this.id, this.leaseMs);
    if (!lease) {
      const holder = await this.#state.leaseHolder(key);
      if (!holder) lease = await this.#state.acquireLease(key, this.id, this.leaseMs);
      else if (holder.owner !== this.id && !(await this.alive(holder.owner))) {
        lease = await this.#state.replaceLease(key, holder, this.id, this.leaseMs);
        if (lease) {
          this.#logger.info({ key, from: holder.owner }, 'took over from a gone instance');
          this.#metrics?.leaseTakeover(kind);
        }
      }
    }
    return lease && this.#hold(lease);
  }

  /** Stops the heartbeat and gives up every lease, so survivors take the work over at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#held].map((h) => h.held.release()));
    const liveness = this.#liveness;
    this.#liveness = undefined;
    if (liveness) {
      await this.#state.releaseLease(liveness).catch(() => false);
      await this.#state
        .publish(INSTANCES_CHANNEL, JSON.stringify({ left: this.id }))
        .catch((e: unknown) => this.#logger.debug({ err: String(e) }, 'could not announce the stop'));
    }
  }

  /** For tests: the process "dies" — no more heartbeats, nothing released. */
  halt(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#held.clear();
  }

  #livenessKey(id: string): string {
    return `instance:${id}`;
  }

  #hold(lease: Lease): Held {
    const controller = new AbortController();
    const lose = () => {
      if (!controller.signal.aborted) {
        this.#logger.warn({ key: lease.key }, 'lease lost');
        controller.abort(new LeaseLost(lease.key));
      }
      this.#held.delete(entry);
    };
    const held: Held = {
      lease,
      lost: controller.signal,
      check: async () => {
        if (controller.signal.aborted) return false;
        const ok = await this.#state.renewLease(lease, this.leaseMs);
        if (!ok) lose();
        return ok;
      },
      release: async () => {
        if (!this.#held.delete(entry) || controller.signal.aborted) return;
        await this.#state
          .releaseLease(lease)
          .catch((e: unknown) =>
            this.#logger.warn({ key: lease.key, err: String(e) }, 'lease release failed'),
          );
      },
    };
    const entry = {
      held,
      renew: async () => {
        // A store outage is not a loss: the lease may still be ours when the store returns.
        await held
          .check()
          .catch((e: unknown) => this.#logger.debug({ err: String(e) }, 'lease renew failed'));
      },
    };
    this.#held.add(entry);
    return held;
  }

  async #beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    const now = this.#now();
    this.stats.heartbeatLateMs = Math.max(0, now - this.#nextBeat);
    this.#metrics?.heartbeatLateness(this.stats.heartbeatLateMs);
    this.#nextBeat = now + this.every;
    try {
      if (this.#liveness && !(await this.#state.renewLease(this.#liveness, this.leaseMs))) {
        // A stall longer than the lease: survivors may have taken this instance's work (its own leases
        // will say so). Come back as alive for what it still holds.
        this.#logger.warn({}, 'instance lease lapsed; rejoining');
        this.#liveness = await this.#state.acquireLease(this.#livenessKey(this.id), this.id, this.leaseMs);
      }
      await Promise.all([...this.#held].map((h) => h.renew()));
    } catch (e) {
      this.#logger.warn({ err: String(e) }, 'heartbeat failed');
    } finally {
      this.#beating = false;
    }
  }
}

/**
 * True when `id` (`<host>-<pid>-<random>`, see the constructor) names a process of this host that has exited.
 * Anything else (another host, a pid that runs, maybe reused, an id of another shape) is left to the lease.
 */
function exitedHere(id: string): boolean {
  const m = /^(.+)-(\d+)-[0-9a-f]+$/.exec(id);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
