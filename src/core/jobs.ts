// Render jobs in the store (key `job:<id>`), indexed under `jobs:pending` BEFORE the render is created, so a
// process that dies anywhere between "create" and "posted" leaves a job the next process finishes.
// Agent turns in flight are indexed too (`turns:inflight`, by chat address): a restart tells their chats.

import type Keyv from 'keyv';
import { z } from 'zod';
import { addToIndex, readIndex, removeFromIndex } from '../store/index-list.ts';
import type { Core } from './context.ts';
import type { ChatAddress, Lang } from './ports.ts';

export const JOBS_INDEX = 'jobs:pending';
export const TURNS_INDEX = 'turns:inflight';

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

/** A render id the backend accepts (`render_<ts>`), unique enough across chats and processes. */
export function newRenderId(now: number): string {
  return `render_${now}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function saveJob(core: Core, job: Job): Promise<void> {
  await core.store.set(jobKey(job.id), { ...job });
  await addToIndex(core.store, JOBS_INDEX, job.id);
  await core.sessions.update(job.address, (r) => {
    if (!r.jobs.includes(job.id)) r.jobs.push(job.id);
  });
}

export async function setPhase(core: Core, job: Job, phase: JobPhase): Promise<void> {
  job.phase = phase;
  await core.store.set(jobKey(job.id), { ...job });
}

export async function dropJob(core: Core, job: Job): Promise<void> {
  await removeFromIndex(core.store, JOBS_INDEX, job.id);
  await core.store.delete(jobKey(job.id));
  await core.sessions.update(job.address, (r) => {
    r.jobs = r.jobs.filter((id) => id !== job.id);
  });
}

/** The pending jobs; ids whose record is gone or unreadable are dropped from the index. */
export async function pendingJobs(store: Keyv): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const id of await readIndex(store, JOBS_INDEX)) {
    const parsed = jobSchema.safeParse(await store.get(jobKey(id)));
    if (parsed.success) jobs.push(parsed.data);
    else await removeFromIndex(store, JOBS_INDEX, id);
  }
  return jobs;
}

export async function markTurn(core: Core, address: ChatAddress, text: string, lang: Lang): Promise<void> {
  const startedAt = Date.now();
  await core.sessions.update(address, (r) => {
    r.inFlight = { text, startedAt, lang };
  });
  await addToIndex(core.store, TURNS_INDEX, address);
}

export async function clearTurn(core: Core, address: ChatAddress): Promise<void> {
  await core.sessions.update(address, (r) => {
    delete r.inFlight;
  });
  await removeFromIndex(core.store, TURNS_INDEX, address);
}
