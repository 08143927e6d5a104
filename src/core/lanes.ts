// One lane per chat (docs/decisions.md decision 4): agent turns and exports run one at a time, in arrival order;
// further work waits in a bounded FIFO. Commands that only read (credits, status, help, lang, cancel, open)
// never enter a lane, so they answer while a 5-minute generation runs.
//
// Exports share the lane with turns on purpose: an export started mid-turn would render a half-edited draft.
// Two implementations: LocalLanes (here) for one process (memory, SQLite), SharedLanes (lanes-shared.ts) for
// several instances on Redis, where the queue and its runner live in the store. The questions are
// asynchronous because on Redis the answer is in the store, whichever instance asks.

import type { ChatAddress } from './ports.ts';

export type TaskKind = 'turn' | 'export';

/**
 * Why a task's signal fired: the user cancelled, the stream looked stuck, or this process is giving the work
 * up ('shutdown': stopping, or its lease was lost to a survivor) and leaves it recorded for whoever takes it.
 */
export class Stop extends Error {
  override name = 'Stop';
  constructor(readonly why: 'cancel' | 'stuck' | 'shutdown') {
    super(`stopped: ${why}`);
  }
}

/** The reason a signal was aborted with, when it is one of ours. */
export function stopReason(signal: AbortSignal | undefined): Stop['why'] | undefined {
  return signal?.aborted && signal.reason instanceof Stop ? signal.reason.why : undefined;
}

export type Enqueued =
  | { state: 'full' }
  /** `ahead`: tasks before this one (0 = started at once); `done` settles when it ran or was dropped. */
  | { state: 'accepted'; ahead: number; done: Promise<'ran' | 'dropped'> };

export type Task = (signal: AbortSignal) => Promise<void>;

export interface Lanes {
  /**
   * Runs `task` when the chat's lane is free, or queues it (at most `max` waiting). The task gets a signal
   * that `cancel` and `abortAll` fire with a Stop reason.
   */
  enqueue(address: ChatAddress, kind: TaskKind, max: number, task: Task): Promise<Enqueued>;
  /** What runs now, and since when. */
  current(address: ChatAddress): Promise<{ kind: TaskKind; startedAt: number } | undefined>;
  /** A task runs or waits in this chat. */
  busy(address: ChatAddress): Promise<boolean>;
  /** An export runs or waits in this chat. */
  hasExport(address: ChatAddress): Promise<boolean>;
  /** Marks an export running inside the current task (a GUI "click Export"); call the result when it ends. */
  markExport(address: ChatAddress): Promise<() => Promise<void>>;
  /** Stops the running task and drops the waiting ones. */
  cancel(address: ChatAddress, why?: Stop['why']): Promise<{ running?: TaskKind; dropped: number }>;
  /**
   * Runs `fn` while no task of the chat runs (anywhere): for cleaning up what a gone runner left. False, and
   * `fn` not run, when a task runs (its runner deals with leftovers itself).
   */
  whenIdle(address: ChatAddress, fn: () => Promise<void>): Promise<boolean>;
  /**
   * What this process runs or queues in the chat, without asking the store (a terminal's prompt decides on
   * it synchronously): 'export' when an export runs or waits, else 'turn' while a task runs.
   */
  runningHere(address: ChatAddress): TaskKind | undefined;
  /** This process's tasks stop with `why`; its waiting ones are dropped. */
  abortAll(why: Stop['why']): void;
  close(): Promise<void>;
}

interface Waiting {
  kind: TaskKind;
  start: () => void;
  drop: () => void;
}

interface Lane {
  current?: { kind: TaskKind; controller: AbortController; startedAt: number };
  queue: Waiting[];
  /** Exports running inside a turn (a GUI "click Export") count too: a second one is refused. */
  exporting: number;
}

/** The lanes of one process, in memory. */
export class LocalLanes implements Lanes {
  readonly #lanes = new Map<ChatAddress, Lane>();

  constructor(
    private readonly now: () => number,
    private readonly onError: (address: ChatAddress, e: unknown) => void,
    /** Told how many tasks wait in a chat's lane whenever that changes (for /metrics). */
    private readonly onDepth: (address: ChatAddress, waiting: number) => void = () => {},
  ) {}

  #lane(address: ChatAddress): Lane {
    let lane = this.#lanes.get(address);
    if (!lane) {
      lane = { queue: [], exporting: 0 };
      this.#lanes.set(address, lane);
    }
    return lane;
  }

  async current(address: ChatAddress): Promise<{ kind: TaskKind; startedAt: number } | undefined> {
    const c = this.#lanes.get(address)?.current;
    return c && { kind: c.kind, startedAt: c.startedAt };
  }

  #busy(address: ChatAddress): boolean {
    const lane = this.#lanes.get(address);
    return Boolean(lane && (lane.current || lane.queue.length > 0));
  }

  async busy(address: ChatAddress): Promise<boolean> {
    return this.#busy(address);
  }

  async hasExport(address: ChatAddress): Promise<boolean> {
    return this.#hasExport(address);
  }

  #hasExport(address: ChatAddress): boolean {
    const lane = this.#lanes.get(address);
    if (!lane) return false;
    return (
      lane.exporting > 0 || lane.current?.kind === 'export' || lane.queue.some((w) => w.kind === 'export')
    );
  }

  runningHere(address: ChatAddress): TaskKind | undefined {
    if (this.#hasExport(address)) return 'export';
    return this.#lanes.get(address)?.current ? 'turn' : undefined;
  }

  async markExport(address: ChatAddress): Promise<() => Promise<void>> {
    const lane = this.#lane(address);
    lane.exporting++;
    let done = false;
    return async () => {
      if (!done) lane.exporting--;
      done = true;
    };
  }

  async enqueue(address: ChatAddress, kind: TaskKind, max: number, task: Task): Promise<Enqueued> {
    const lane = this.#lane(address);
    const idle = !lane.current && lane.queue.length === 0;
    if (!idle && lane.queue.length >= max) return { state: 'full' };
    const ahead = idle ? 0 : lane.queue.length + (lane.current ? 1 : 0);
    const done = new Promise<'ran' | 'dropped'>((resolve) => {
      const start = () => {
        const controller = new AbortController();
        lane.current = { kind, controller, startedAt: this.now() };
        task(controller.signal)
          .catch((e: unknown) => this.onError(address, e))
          .finally(() => {
            delete lane.current;
            resolve('ran');
            this.#next(address, lane);
          });
      };
      if (idle) start();
      else {
        lane.queue.push({ kind, start, drop: () => resolve('dropped') });
        this.onDepth(address, lane.queue.length);
      }
    });
    return { state: 'accepted', ahead, done };
  }

  #next(address: ChatAddress, lane: Lane): void {
    const next = lane.queue.shift();
    if (next) {
      this.onDepth(address, lane.queue.length);
      next.start();
    } else if (lane.exporting === 0) this.#lanes.delete(address);
  }

  async cancel(
    address: ChatAddress,
    why: Stop['why'] = 'cancel',
  ): Promise<{ running?: TaskKind; dropped: number }> {
    return this.#cancel(address, why);
  }

  #cancel(address: ChatAddress, why: Stop['why']): { running?: TaskKind; dropped: number } {
    const lane = this.#lanes.get(address);
    if (!lane) return { dropped: 0 };
    const dropped = lane.queue.splice(0);
    if (dropped.length > 0) this.onDepth(address, 0);
    for (const w of dropped) w.drop();
    const running = lane.current;
    running?.controller.abort(new Stop(why));
    return running ? { running: running.kind, dropped: dropped.length } : { dropped: dropped.length };
  }

  async whenIdle(address: ChatAddress, fn: () => Promise<void>): Promise<boolean> {
    if (this.#busy(address)) return false;
    await fn();
    return true;
  }

  abortAll(why: Stop['why']): void {
    for (const address of [...this.#lanes.keys()]) this.#cancel(address, why);
  }

  async close(): Promise<void> {}
}
