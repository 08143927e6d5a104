// The one owner of job state. Render jobs are values `job:<id>` in the state store, their ids in the set
// `jobs:pending`, written BEFORE the render is created, so a process that dies anywhere between "create" and
// "posted" leaves a job the next process finishes. Agent turns in flight are the set `turns:inflight` (chat
// addresses; the turn itself is in the chat's session record): a restart tells their chats.
// Sets, not read-modify-write lists: adds and removes are atomic across processes and O(1) each.
//
// Ownership (design.md decision 14): whoever drives a job holds its lease `job:<id>` (src/core/instance.ts),
// taken before the job is stored, renewed by the instance heartbeat. Another instance resumes a job only when
// it can take that lease (free, or its holder's instance is gone), so exactly one survivor takes each. Every
// write of a job is fenced by the lease, and `fence` is checked before the render is created and before the
// video is posted: a holder that stalled and lost the job stops there (LeaseLost) instead of doubling it.

import type Keyv from 'keyv';
import { z } from 'zod';
import type { Logger } from '../secrets.ts';
import type { StatePort } from '../store/state.ts';
import { type Held, type Instance, LeaseLost } from './instance.ts';
import type { ChatAddress, Lang } from './ports.ts';
import type { Sessions } from './sessions.ts';

export const JOBS_SET = 'jobs:pending';
export const TURNS_SET = 'turns:inflight';

export type JobPhase = 'creating' | 'rendering' | 'downloading' | 'posting';

export interface Job {
  id: string;
  address: ChatAddress;
  sessionId: string;
  phase: JobPhase;
  createdAt: number;
  lang: Lang;
}

const jobSchema = z.object({
  id: z.string().min(1),
  address: z.string().min(1),
  sessionId: z.string().min(1),
  phase: z.enum(['creating', 'rendering', 'downloading', 'posting']),
  createdAt: z.number(),
  lang: z.enum(['en', 'zh']),
});

const jobKey = (id: string): string => `job:${id}`;
const leaseKey = jobKey;
const postedKey = (id: string): string => `posted:${id}`;

/** How long "this render was posted" is remembered (a job never lives this long). */
const POSTED_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A render id the backend accepts (`render_<ts>`), unique enough across chats and processes. */
export function newRenderId(now: number): string {
  return `render_${now}_${Math.random().toString(36).slice(2, 8)}`;
}

export interface JobsOptions {
  state: StatePort;
  instance: Instance;
  sessions: Sessions;
  logger: Logger;
  now: () => number;
  /** The Keyv an earlier version kept its job lists in: adopted once, then deleted there. */
  legacy?: Keyv;
}

export class Jobs {
  readonly #state: StatePort;
  readonly #sessions: Sessions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #legacy: Keyv | undefined;
  #adopted: Promise<void> | undefined;
  readonly #instance: Instance;
  /** The leases of the jobs this instance drives. */
  readonly #held = new Map<string, Held>();

  constructor(opts: JobsOptions) {
    this.#state = opts.state;
    this.#instance = opts.instance;
    this.#sessions = opts.sessions;
    this.#logger = opts.logger;
    this.#now = opts.now;
    this.#legacy = opts.legacy;
  }

  /**
   * Records a new job, owned by this instance (lease first, then the value, then the index, so an indexed id
   * always finds its record and never looks ownerless while it is being written).
   */
  async save(job: Job): Promise<void> {
    if (!this.#held.has(job.id)) {
      const held = await this.#instance.take(leaseKey(job.id));
      if (!held) throw new LeaseLost(leaseKey(job.id));
      this.#held.set(job.id, held);
    }
    await this.#write(job);
    await this.#state.addMember(JOBS_SET, job.id);
    await this.#sessions.update(job.address, (r) => {
      if (!r.jobs.includes(job.id)) r.jobs.push(job.id);
    });
  }

  /**
   * Takes a stored job whose owner is gone; false while a live instance (maybe this one) drives it, or when
   * it finished between the listing and the taking. `job` is brought up to date from the store.
   */
  async claim(job: Job): Promise<boolean> {
    if (this.#held.has(job.id)) return false;
    const held = await this.#instance.take(leaseKey(job.id));
    if (!held) return false;
    // Read again under the lease: the listing may predate the owner's last phase, or its drop.
    const current = jobSchema.safeParse(await this.#state.get(jobKey(job.id)).catch(() => undefined));
    if (!current.success || current.data.id !== job.id) {
      await held.release();
      return false;
    }
    Object.assign(job, current.data);
    this.#held.set(job.id, held);
    this.#instance.stats.takeovers++;
    return true;
  }

  /** Throws LeaseLost unless this instance still holds the job: checked before each once-only step. */
  async fence(job: Job): Promise<void> {
    const held = this.#held.get(job.id);
    if (!held || !(await held.check())) {
      this.#held.delete(job.id);
      throw new LeaseLost(leaseKey(job.id));
    }
  }

  /** Gives the job up without finishing it (it stays pending for another instance or process). */
  async release(job: Job): Promise<void> {
    const held = this.#held.get(job.id);
    this.#held.delete(job.id);
    await held?.release();
  }

  async setPhase(job: Job, phase: JobPhase): Promise<void> {
    job.phase = phase;
    await this.#write(job);
  }

  async drop(job: Job): Promise<void> {
    await this.fence(job);
    await this.#state.removeMember(JOBS_SET, job.id);
    await this.#state.delete(jobKey(job.id));
    await this.#sessions.update(job.address, (r) => {
      r.jobs = r.jobs.filter((id) => id !== job.id);
    });
    await this.release(job);
  }

  async #write(job: Job): Promise<void> {
    const held = this.#held.get(job.id);
    if (!held || !(await this.#state.setFenced(held.lease, jobKey(job.id), { ...job }))) {
      this.#held.delete(job.id);
      throw new LeaseLost(leaseKey(job.id));
    }
  }

  /** The pending jobs, oldest first; ids whose record is gone or unreadable leave the index. */
  async pending(): Promise<Job[]> {
    await this.#adoptLegacy();
    const jobs: Job[] = [];
    for (const id of await this.#state.members(JOBS_SET)) {
      const parsed = jobSchema.safeParse(await this.#state.get(jobKey(id)));
      if (parsed.success) jobs.push(parsed.data);
      else await this.#state.removeMember(JOBS_SET, id);
    }
    return jobs.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Whether the render was posted (or its post begun) by any process. */
  async posted(job: Job): Promise<boolean> {
    return (await this.#state.get(postedKey(job.id))) !== undefined;
  }

  /**
   * True for exactly one caller across processes: the one that may post the video, and only while it holds
   * the job. Marked before sending, so a crash between the mark and the send loses the post rather than
   * doubling it.
   */
  async markPosted(job: Job): Promise<boolean> {
    await this.fence(job);
    return this.#state.setIfAbsent(postedKey(job.id), this.#now(), POSTED_TTL_MS);
  }

  async markTurn(address: ChatAddress, text: string, lang: Lang): Promise<void> {
    const startedAt = this.#now();
    await this.#sessions.update(address, (r) => {
      r.inFlight = { text, startedAt, lang };
    });
    await this.#state.addMember(TURNS_SET, address);
  }

  async clearTurn(address: ChatAddress): Promise<void> {
    // No record write for an address without a turn (an index entry whose record is gone).
    const { record } = await this.#sessions.load(address);
    if (record.inFlight)
      await this.#sessions.update(address, (r) => {
        delete r.inFlight;
      });
    await this.#state.removeMember(TURNS_SET, address);
  }

  /** Chats whose turn was in flight when a process stopped (or is running in this one). */
  async turnsInFlight(): Promise<ChatAddress[]> {
    await this.#adoptLegacy();
    return this.#state.members(TURNS_SET);
  }

  /**
   * Before the state port, both indexes were arrays in Keyv and jobs lived there too: move what an older
   * process left into the state store once, so a deploy does not orphan a render in progress.
   */
  #adoptLegacy(): Promise<void> {
    const keyv = this.#legacy;
    if (!keyv) return Promise.resolve();
    this.#adopted ??= (async () => {
      const ids = await keyv.get<unknown>(JOBS_SET);
      for (const id of strings(ids)) {
        const job = jobSchema.safeParse(await keyv.get(jobKey(id)));
        if (job.success) {
          await this.#state.set(jobKey(id), job.data);
          if (await keyv.has(postedKey(id))) await this.#state.setIfAbsent(postedKey(id), 0, POSTED_TTL_MS);
          await this.#state.addMember(JOBS_SET, id);
        }
        await keyv.delete(jobKey(id));
      }
      const turns = strings(await keyv.get<unknown>(TURNS_SET));
      for (const address of turns) await this.#state.addMember(TURNS_SET, address);
      if (ids !== undefined || turns.length > 0) {
        await keyv.delete([JOBS_SET, TURNS_SET]);
        this.#logger.info(
          { jobs: strings(ids).length, turns: turns.length },
          'adopted job indexes from Keyv',
        );
      }
    })();
    // A failed attempt is tried again by the next read rather than remembered.
    this.#adopted.catch(() => {
      this.#adopted = undefined;
    });
    return this.#adopted;
  }
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
}
