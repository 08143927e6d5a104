import { EventEmitter } from 'node:events';

/**
 * Publish/subscribe inside one process, for the stores that serve one process (memory, SQLite). Messages are
 * delivered on a later tick, as over a network, so a publisher never runs its subscribers' code inline.
 */
export class LocalBus {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string): Promise<void> {
    setImmediate(() => this.#emitter.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const listener = (message: string) => onMessage(message);
    this.#emitter.on(channel, listener);
    return async () => {
      this.#emitter.off(channel, listener);
    };
  }
}

const shared = new Map<string, LocalBus>();

/** One bus per scope (a SQLite file and namespace), so two handles on one file hear each other. */
export function busFor(scope: string): LocalBus {
  let bus = shared.get(scope);
  if (!bus) {
    bus = new LocalBus();
    shared.set(scope, bus);
  }
  return bus;
}
