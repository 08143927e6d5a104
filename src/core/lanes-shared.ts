// The chat lanes of several instances on one store (docs/decisions.md decision 14): one turn or export at a time per
// chat, whichever instance received the message. The queue is a list in the store, `lane:<address>`, of
// entries {id, instance, kind}; its head is the runner. Each instance keeps its own waiting task in memory and
// starts it once its entry is the head and it holds the chat's lease `lane:<address>` (renewed by the
// instance heartbeat, fenced: a runner that loses it is stopped). A bounded push (one atomic step) enforces
// QUEUE_MAX across instances, and the list's length is the "you're #2" answer. Entries of an instance that is
// gone are removed by whoever looks at the lane next. Wake-ups ("the lane changed", "cancel entry X") go as
// store messages; each waiter also looks again every LANE_POLL_MS, and a cancel is also written down, so a
// lost message only delays.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../secrets.ts';
import type { StatePort } from '../store/state.ts';
import type { Held, Instance } from './instance.ts';
import { type Enqueued, type Lanes, Stop, type Task, type TaskKind } from './lanes.ts';
import type { ChatAddress } from './ports.ts';

const CHANNEL = 'lanes';
/** The runner's facts (`lane-run:<address>`): valid only while its entry is the head. */
const RUN_TTL_MS = 24 * 60 * 60 * 1000;
/** A cancel written down for the runner (`lane-cancel:<entry>`), in case the message is missed. */
const CANCEL_TTL_MS = 60 * 60 * 1000;

interface Entry {
  id: string;
  /** The instance holding the task. */
  i: string;
  k: TaskKind;
}
interface Run {
  id: string;
  startedAt: number;
  exporting: number;
}
interface Seen {
  entry: Entry;
  raw: string;
}
/** An entry of this instance: its task waits (or runs) here. */
interface Mine {
  entry: Entry;
  raw: string;
  address: ChatAddress;
  wake: () => void;
  dropping: boolean;
  running?: { controller: AbortController; held: Held; run: Run };
}

export interface SharedLanesOptions {
  state: StatePort;
  instance: Instance;
  now: () => number;
  pollMs: number;
  logger: Logger;
  onError: (address: ChatAddress, e: unknown) => void;
  /**
   * Told how many of THIS instance's tasks wait in a chat's lane whenever that changes (for /metrics): summed
   * over the instances, each waiting entry is counted once.
   */
  onDepth?: (address: ChatAddress, waiting: number) => void;
}

const listKey = (address: ChatAddress) => `lane:${address}`;
const leaseKey = listKey;
const runKey = (address: ChatAddress) => `lane-run:${address}`;
const cancelKey = (id: string) => `lane-cancel:${id}`;

export class SharedLanes implements Lanes {
  readonly #state: StatePort;
  readonly #instance: Instance;
  readonly #opts: SharedLanesOptions;
  readonly #mine = new Map<string, Mine>();
  readonly #ready: Promise<void>;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(opts: SharedLanesOptions) {
    this.#opts = opts;
    this.#state = opts.state;
    this.#instance = opts.instance;
    this.#ready = this.#state
      .subscribe(CHANNEL, (m) => this.#heard(m))
      .then(
        (off) => {
          this.#unsubscribe = off;
        },
        // Polling still moves every lane, only slower.
        (e: unknown) => opts.logger.warn({ err: String(e) }, 'lane wake-ups unavailable; polling'),
      );
  }

  async enqueue(address: ChatAddress, kind: TaskKind, max: number, task: Task): Promise<Enqueued> {
    await this.#ready;
    await this.#entries(address);
    const entry: Entry = { id: randomUUID(), i: this.#instance.id, k: kind };
    const mine: Mine = { entry, raw: JSON.stringify(entry), address, wake: () => {}, dropping: false };
    // Known before it is in the list, so this instance never takes its own new entry for a leftover.
    this.#mine.set(entry.id, mine);
    let length: number | undefined;
    try {
      length = await this.#state.listPush(listKey(address), mine.raw, max + 1);
    } catch (e) {
      this.#mine.delete(entry.id);
      throw e;
    }
    if (length === undefined) {
      this.#mine.delete(entry.id);
      return { state: 'full' };
    }
    const done = this.#wait(mine, task);
    this.#depth(address);
    return { state: 'accepted', ahead: length - 1, done };
  }

  #depth(address: ChatAddress): void {
    let waiting = 0;
    for (const m of this.#mine.values()) if (m.address === address && !m.running) waiting++;
    this.#opts.onDepth?.(address, waiting);
  }

  async current(address: ChatAddress): Promise<{ kind: TaskKind; startedAt: number } | undefined> {
    const [head] = await this.#entries(address);
    if (!head) return undefined;
    const run = await this.#run(address, head);
    return run && { kind: head.entry.k, startedAt: run.startedAt };
  }

  async busy(address: ChatAddress): Promise<boolean> {
    return (await this.#entries(address)).length > 0;
  }

  async hasExport(address: ChatAddress): Promise<boolean> {
    const entries = await this.#entries(address);
    if (entries.some((s) => s.entry.k === 'export')) return true;
    const head = entries[0];
    return head !== undefined && ((await this.#run(address, head))?.exporting ?? 0) > 0;
  }

  async markExport(address: ChatAddress): Promise<() => Promise<void>> {
    const running = [...this.#mine.values()].find((m) => m.address === address && m.running)?.running;
    if (!running) return async () => {};
    const write = () =>
      this.#state
        .setFenced(running.held.lease, runKey(address), running.run, RUN_TTL_MS)
        .catch((e: unknown) => this.#opts.logger.warn({ err: String(e) }, 'could not record the export'));
    running.run.exporting++;
    await write();
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      running.run.exporting--;
      await write();
    };
  }

  async cancel(
    address: ChatAddress,
    why: Stop['why'] = 'cancel',
  ): Promise<{ running?: TaskKind; dropped: number }> {
    const [head, ...waiting] = await this.#entries(address);
    let dropped = 0;
    for (const s of waiting) if (await this.#state.listRemove(listKey(address), s.raw)) dropped++;
    if (head) {
      await this.#state.set(cancelKey(head.entry.id), why, CANCEL_TTL_MS);
      this.#mine.get(head.entry.id)?.running?.controller.abort(new Stop(why));
    }
    await this.#notify(address, head?.entry.id);
    return head ? { running: head.entry.k, dropped } : { dropped };
  }

  async whenIdle(address: ChatAddress, fn: () => Promise<void>): Promise<boolean> {
    await this.#entries(address);
    const held = await this.#instance.take(leaseKey(address), 'turn');
    if (!held) return false;
    try {
      await fn();
    } finally {
      await held.release();
      await this.#notify(address);
    }
    return true;
  }

  runningHere(address: ChatAddress): TaskKind | undefined {
    const here = [...this.#mine.values()].filter((m) => m.address === address);
    if (here.some((m) => m.entry.k === 'export' || (m.running?.run.exporting ?? 0) > 0)) return 'export';
    return here.some((m) => m.running) ? 'turn' : undefined;
  }

  abortAll(why: Stop['why']): void {
    for (const mine of this.#mine.values()) {
      mine.dropping = true;
      mine.running?.controller.abort(new Stop(why));
      mine.wake();
    }
  }

  async close(): Promise<void> {
    await this.#ready;
    await this.#unsubscribe?.().catch(() => {});
  }

  /** Waits for the entry's turn, runs it, then leaves the lane. */
  async #wait(mine: Mine, task: Task): Promise<'ran' | 'dropped'> {
    const { address, entry } = mine;
    try {
      for (;;) {
        if (mine.dropping) return 'dropped';
        let entries: Seen[] | undefined;
        try {
          entries = await this.#entries(address);
        } catch (e) {
          this.#opts.logger.warn({ chat: address, err: String(e) }, 'lane unreadable; retrying');
        }
        if (entries) {
          const at = entries.findIndex((s) => s.entry.id === entry.id);
          if (at < 0) return 'dropped'; // cancelled by someone, on any instance
          const held =
            at === 0
              ? await this.#instance.take(leaseKey(address), 'chat').catch(() => undefined)
              : undefined;
          if (held) return await this.#start(mine, held, task);
        }
        await this.#nap(mine);
      }
    } finally {
      await this.#state
        .listRemove(listKey(address), mine.raw)
        .catch((e: unknown) => this.#opts.logger.warn({ chat: address, err: String(e) }, 'lane entry left'));
      this.#mine.delete(entry.id);
      this.#depth(address);
      await this.#notify(address);
    }
  }

  async #start(mine: Mine, held: Held, task: Task): Promise<'ran' | 'dropped'> {
    const { address, entry } = mine;
    try {
      if (mine.dropping || (await this.#state.get(cancelKey(entry.id))) !== undefined) return 'dropped';
      const controller = new AbortController();
      // The lease went to a survivor (this process stalled): stop and leave the work to it.
      const lost = () => controller.abort(new Stop('shutdown'));
      held.lost.addEventListener('abort', lost);
      const run: Run = { id: entry.id, startedAt: this.#opts.now(), exporting: 0 };
      mine.running = { controller, held, run };
      this.#depth(address);
      const watch = setInterval(() => void this.#checkCancel(mine), this.#opts.pollMs);
      try {
        await this.#state.setFenced(held.lease, runKey(address), run, RUN_TTL_MS);
        await task(controller.signal);
      } catch (e) {
        this.#opts.onError(address, e);
      } finally {
        clearInterval(watch);
        held.lost.removeEventListener('abort', lost);
        delete mine.running;
      }
      return 'ran';
    } finally {
      await held.release();
    }
  }

  async #checkCancel(mine: Mine): Promise<void> {
    const why = await this.#state.get(cancelKey(mine.entry.id)).catch(() => undefined);
    if (why === 'cancel' || why === 'stuck' || why === 'shutdown')
      mine.running?.controller.abort(new Stop(why));
  }

  /** The lane's live entries, in order. Entries of gone instances (and unreadable ones) are removed. */
  async #entries(address: ChatAddress): Promise<Seen[]> {
    const seen = (await this.#state.listItems(listKey(address))).map((raw) => ({ raw, entry: parse(raw) }));
    const alive = new Map<string, boolean>();
    const live: Seen[] = [];
    let removed = false;
    for (const s of seen) {
      let ok = false;
      if (s.entry) {
        const owner = s.entry.i;
        // An entry of this instance without a task here is a leftover too.
        if (owner === this.#instance.id) ok = this.#mine.has(s.entry.id);
        else {
          if (!alive.has(owner)) alive.set(owner, await this.#instance.alive(owner));
          ok = alive.get(owner) === true;
        }
      }
      if (ok && s.entry) live.push({ raw: s.raw, entry: s.entry });
      else if (await this.#state.listRemove(listKey(address), s.raw)) {
        removed = true;
        this.#opts.logger.info({ chat: address, from: s.entry?.i }, 'removed a gone instance’s lane entry');
      }
    }
    if (removed) await this.#notify(address);
    return live;
  }

  async #run(address: ChatAddress, head: Seen): Promise<Run | undefined> {
    const run = (await this.#state.get(runKey(address))) as Run | undefined;
    return run?.id === head.entry.id ? run : undefined;
  }

  #nap(mine: Mine): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#opts.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      mine.wake = done;
    });
  }

  async #notify(address: ChatAddress, cancel?: string): Promise<void> {
    const note = cancel === undefined ? { a: address } : { a: address, cancel };
    await this.#state
      .publish(CHANNEL, JSON.stringify(note))
      .catch((e: unknown) => this.#opts.logger.debug({ err: String(e) }, 'lane wake-up not sent'));
  }

  #heard(message: string): void {
    let note: { a?: unknown; cancel?: unknown };
    try {
      note = JSON.parse(message) as typeof note;
    } catch {
      return;
    }
    for (const mine of this.#mine.values()) {
      if (mine.address !== note.a) continue;
      if (note.cancel === mine.entry.id) mine.running?.controller.abort(new Stop('cancel'));
      mine.wake();
    }
  }
}

function parse(raw: string): Entry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<Entry>;
    if (typeof e.id === 'string' && typeof e.i === 'string' && (e.k === 'turn' || e.k === 'export'))
      return { id: e.id, i: e.i, k: e.k };
  } catch {}
  return undefined;
}
