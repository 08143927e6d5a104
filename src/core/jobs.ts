// The one owner of job state. Render jobs are values `job:<id>` in the state store, their ids in the set
// `jobs:pending`, written BEFORE the render is created, so a process that dies anywhere between "create" and
// "posted" leaves a job the next process finishes. Agent turns in flight are the set `turns:inflight` (chat
// addresses; the turn itself is in the chat's session record): a restart tells their chats.
// Sets, not read-modify-write lists: adds and removes are atomic across processes and O(1) each.
//
// Ownership (docs/decisions.md decision 14): whoever drives a job holds its lease `job:<id>` (src/core/instance.ts),
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
  /** Hash of the draft the user asked to export: a later export of the same draft attaches to this job. */
  draftHash?: string;
  /** The export's progress message, so a resumed job finishes it instead of leaving "Rendering… 33%". */
  progressRef?: string;
  /** How many times posting was attempted (phase `posting`); a post is made again until one is confirmed. */
  postAttempts?: number;
  /** How many times its poll budget ran out while NemoVideo was still rendering (the job is kept). */
  stalls?: number;
}

const jobSchema = z.object({
  id: z.string().min(1),
  address: z.string().min(1),
  sessionId: z.string().min(1),
  phase: z.enum(['creating', 'rendering', 'downloading', 'posting']),
  createdAt: z.number(),
  lang: z.enum(['en', 'zh']),
  // Optional: jobs written before these fields existed stay readable.
  draftHash: z.string().optional(),
  progressRef: z.string().optional(),
  postAttempts: z.number().int().nonnegative().optional(),
  stalls: z.number().int().nonnegative().optional(),
});

/** An export the user asked for whose job is not stored yet (a restart tells the chat). */
export interface ExportIntent {
  address: ChatAddress;
  lang: Lang;
  at: number;
  /** The instance that recorded it (absent in records of older versions). */
  instance?: string;
}

/** The parsed record as a Job (exactOptionalPropertyTypes: an absent field is left out, never undefined). */
function toJob(data: z.infer<typeof jobSchema>): Job {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as unknown as Job;
}

const intentSchema = z.object({ lang: z.enum(['en', 'zh']), at: z.number(), i: z.string().optional() });
export const INTENTS_SET = 'exports:intent';
const intentKey = (address: ChatAddress): string => `intent:${address}`;

const jobKey = (id: string): string => `job:${id}`;
const leaseKey = jobKey;
const postedKey = (id: string): string => `posted:${id}`;

/** How long "this render was posted" is remembered (a job never lives this long). */
const POSTED_TTL_MS = 30 * 24 * 60 * 60 * 1000;

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
      const held = await this.#instance.take(leaseKey(job.id), 'export');
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
    const held = await this.#instance.take(leaseKey(job.id), 'export');
    if (!held) return false;
    // Read again under the lease: the listing may predate the owner's last phase, or its drop.
    const current = jobSchema.safeParse(await this.#state.get(jobKey(job.id)).catch(() => undefined));
    if (!current.success || current.data.id !== job.id) {
      await held.release();
      return false;
    }
    Object.assign(job, toJob(current.data));
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

  /** Whether this instance drives the job, taking it first when its owner is gone (a kept job re-attached). */
  async own(job: Job): Promise<boolean> {
    return this.#held.has(job.id) || (await this.claim(job));
  }

  /** Gives the job up without finishing it (it stays pending for another instance or process). */
  async release(job: Job): Promise<void> {
    const held = this.#held.get(job.id);
    this.#held.delete(job.id);
    await held?.release();
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
      if (parsed.success) jobs.push(toJob(parsed.data));
      else await this.#state.removeMember(JOBS_SET, id);
    }
    return jobs.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Whether the platform confirmed a post of this render (to any process). */
  async posted(job: Job): Promise<boolean> {
    return (await this.#state.get(postedKey(job.id))) !== undefined;
  }

  /**
   * Records that the platform confirmed the post. Marked only AFTER the confirmation (design decision 11):
   * a crash before it makes the next process post again (at least once), never lose a paid video. Not
   * fenced: a confirmed post is a fact a survivor must see even when this instance's lease lapsed meanwhile.
   */
  async markPosted(job: Job): Promise<boolean> {
    return this.#state.setIfAbsent(postedKey(job.id), this.#now(), POSTED_TTL_MS);
  }

  /** The stored job, or undefined when it is gone (finished, dropped) or unreadable. */
  async get(id: string): Promise<Job | undefined> {
    const parsed = jobSchema.safeParse(await this.#state.get(jobKey(id)));
    return parsed.success ? toJob(parsed.data) : undefined;
  }

  /** Writes the job's record (its fields changed; the indexes stay as they are), fenced by its lease. */
  async update(job: Job): Promise<void> {
    await this.#write(job);
  }

  /** Enters phase `posting` and counts the attempt before anything is sent; returns the attempt's number. */
  async startPosting(job: Job): Promise<number> {
    job.phase = 'posting';
    job.postAttempts = (job.postAttempts ?? 0) + 1;
    await this.update(job);
    return job.postAttempts;
  }

  /** Records an export request before anything else about it, so a kill before its job is stored is told. */
  async markExportIntent(address: ChatAddress, lang: Lang): Promise<void> {
    await this.#state.set(intentKey(address), { lang, at: this.#now(), i: this.#instance.id });
    await this.#state.addMember(INTENTS_SET, address);
  }

  /** The export's job is stored, or the export ended (refused, failed, done): nothing to tell after a restart. */
  async clearExportIntent(address: ChatAddress): Promise<void> {
    await this.#state.removeMember(INTENTS_SET, address);
    await this.#state.delete(intentKey(address));
  }

  /** Export requests a stopped process left before storing their jobs (or that run in this one). */
  async exportIntents(): Promise<ExportIntent[]> {
    const out: ExportIntent[] = [];
    for (const address of await this.#state.members(INTENTS_SET)) {
      const parsed = intentSchema.safeParse(await this.#state.get(intentKey(address)));
      if (parsed.success) {
        const { i, ...intent } = parsed.data;
        out.push(i === undefined ? { address, ...intent } : { address, ...intent, instance: i });
      } else await this.#state.removeMember(INTENTS_SET, address);
    }
    return out;
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
