import type { Logger } from '../../secrets.ts';
import type { Lease, StatePort } from '../../store/state.ts';

// One gateway session per bot across instances. Discord hands every event of a shard to every session open
// on it, so two instances on the gateway would answer each mention twice. The instance holding the lease
// (`discord:gateway` in the shared store) connects; the others stay on standby (REST only) and try to take
// the lease every third of its lifetime. The holder renews at that pace and leaves the gateway at once when a
// renewal is refused (the lease ran out and another instance took it: fencing) or when the store has not
// confirmed it for so long that it could expire before the next check. A holder that dies stops renewing, so
// a standby connects within the lease time plus one check.

export interface ElectionOptions {
  state: StatePort;
  key: string;
  /** This instance, as the store records the holder. */
  owner: string;
  leaseMs: number;
  logger: Logger;
  /** Takes up the role (connects). A rejection gives the lease back; the first one fails start(). */
  elected(): Promise<void>;
  /** Leaves the role at once (disconnects); `reason` is a short phrase for logs and readiness. */
  deposed(reason: string): Promise<void>;
  /** The lease was taken after another instance had held it (a takeover, for /metrics). */
  tookOver?(): void;
  now?: () => number;
}

class Timeout extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer from the store within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class Election {
  #lease: Lease | undefined;
  /** When the store last confirmed the lease (the time the confirming call was sent). */
  #confirmedAt = 0;
  #sawOther = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #check: Promise<void> = Promise.resolve();
  readonly #now: () => number;

  constructor(private readonly o: ElectionOptions) {
    this.#now = o.now ?? Date.now;
  }

  get holding(): boolean {
    return this.#lease !== undefined;
  }

  get checkMs(): number {
    return Math.max(1, Math.floor(this.o.leaseMs / 3));
  }

  /** The first try: resolves true when this instance holds the gateway, false on standby. */
  async start(): Promise<boolean> {
    const taken = await this.#acquire();
    if (taken) await taken.role;
    this.#schedule();
    return this.holding;
  }

  /** Leaves the gateway, then gives the lease back so a standby need not wait for it to run out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#check;
    const lease = this.#lease;
    if (!lease) return;
    this.#lease = undefined;
    await this.o.deposed('stopping');
    await this.o.state
      .releaseLease(lease)
      .catch((err: unknown) =>
        this.o.logger.warn({ err: errText(err) }, 'releasing the gateway lease failed'),
      );
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#check = this.#tick().finally(() => this.#schedule());
    }, this.checkMs);
  }

  async #tick(): Promise<void> {
    if (this.#lease) return this.#renew(this.#lease);
    try {
      const taken = await this.#acquire();
      taken?.role.catch((err: unknown) =>
        this.o.logger.warn({ err: errText(err) }, 'taking up the gateway failed; back on standby'),
      );
    } catch (err) {
      this.o.logger.warn({ err: errText(err) }, 'gateway election: the store did not answer');
    }
  }

  /** Tries the lease; when taken, starts the role (renewals go on meanwhile: connecting may take a while). */
  async #acquire(): Promise<{ role: Promise<void> } | undefined> {
    const asked = this.#now();
    const lease = await within(
      this.o.state.acquireLease(this.o.key, this.o.owner, this.o.leaseMs),
      this.checkMs,
    );
    if (!lease) {
      if (!this.#sawOther) this.o.logger.info({}, 'discord gateway held by another instance: standby');
      this.#sawOther = true;
      return undefined;
    }
    this.#lease = lease;
    this.#confirmedAt = asked;
    if (this.#sawOther) this.o.tookOver?.();
    this.o.logger.info({ fencing: lease.token, takeover: this.#sawOther }, 'discord gateway lease taken');
    const role = this.o.elected().catch(async (err: unknown) => {
      if (this.#lease === lease) {
        this.#lease = undefined;
        await this.o.state.releaseLease(lease).catch(() => {});
      }
      throw err;
    });
    return { role };
  }

  async #renew(lease: Lease): Promise<void> {
    const asked = this.#now();
    try {
      if (await within(this.o.state.renewLease(lease, this.o.leaseMs), this.checkMs)) {
        this.#confirmedAt = asked;
        return;
      }
    } catch (err) {
      // Unconfirmed is not lost yet; but once the lease could run out before the next check, leave.
      if (this.#now() + this.checkMs < this.#confirmedAt + this.o.leaseMs) {
        this.o.logger.warn({ err: errText(err) }, 'renewing the gateway lease failed; trying again');
        return;
      }
      return this.#depose(lease, 'gateway lease unconfirmed');
    }
    return this.#depose(lease, 'gateway lease lost');
  }

  async #depose(lease: Lease, reason: string): Promise<void> {
    if (this.#lease !== lease) return;
    this.#lease = undefined;
    this.o.logger.warn({ reason }, 'leaving the discord gateway');
    await this.o
      .deposed(reason)
      .catch((err: unknown) => this.o.logger.warn({ err: errText(err) }, 'closing the gateway failed'));
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
