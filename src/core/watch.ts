// Continuing a stored render job in its chat's lane: after a restart (resume.ts) and, for a job kept because
// NemoVideo was still rendering past the poll budget or the platform confirmed no post, again later in this
// process — with backoff (one poll budget, then twice that, … up to 32×) until RENDER_KEEP_MS since it began.

import { type Core, makeCtx } from './context.ts';
import type { Job } from './jobs.ts';
import { addressPrefix, type ChatAddress, type ChatPort } from './ports.ts';
import { driveJob } from './render-job.ts';

export function chatFor(core: Core, address: ChatAddress): ChatPort | undefined {
  return core.resolvers.get(addressPrefix(address))?.(address);
}

/** Drives `job` in the caller's lane task; `restarted` tells the chat first (the process restarted). */
export async function continueJob(
  core: Core,
  chat: ChatPort,
  job: Job,
  signal: AbortSignal,
  restarted: boolean,
): Promise<void> {
  const { record } = await core.sessions.load(job.address);
  const ctx = makeCtx(core, chat, record, job.lang);
  const done = await core.lanes.markExport(job.address);
  try {
    const notice = restarted ? await ctx.say(ctx.m.exportResumed) : undefined;
    // The earlier progress message ("Rendering… 33%") is the one to finish; else the notice becomes it.
    const ref = job.progressRef !== undefined ? { id: job.progressRef } : notice;
    const outcome = await driveJob(ctx, core.accounts.for(ctx), job, { ref }, signal);
    if (outcome === 'kept') watchLater(core, job);
  } finally {
    await done();
  }
}

/** Kept jobs this process will look at again, per engine. */
const watching = new WeakMap<Core, Set<string>>();

/** Looks at a kept job again after a backoff delay (once per job at a time; nothing when stopping). */
export function watchLater(core: Core, job: Job): void {
  const ids = watching.get(core) ?? new Set<string>();
  watching.set(core, ids);
  if (core.shutdown.aborted || ids.has(job.id)) return;
  ids.add(job.id);
  const { RENDER_POLL_INTERVAL_MS, RENDER_POLL_MAX, RENDER_KEEP_MS } = core.config;
  const base = Math.max(1, RENDER_POLL_INTERVAL_MS * RENDER_POLL_MAX);
  const tries = Math.max(1, (job.stalls ?? 0) + (job.postAttempts ?? 0));
  const delay = Math.min(base * 2 ** Math.min(5, tries - 1), RENDER_KEEP_MS);
  const stop = () => clearTimeout(timer);
  const timer = setTimeout(() => {
    ids.delete(job.id);
    core.shutdown.removeEventListener('abort', stop);
    void look(core, job.id).catch((e: unknown) =>
      core.logger.warn({ render: job.id, err: String(e) }, 'looking at a kept render failed; kept'),
    );
  }, delay);
  // A kept job never holds the process open: the next start resumes it.
  timer.unref();
  core.shutdown.addEventListener('abort', stop, { once: true });
}

async function look(core: Core, id: string): Promise<void> {
  const job = await core.jobs.get(id);
  if (!job) return; // finished meanwhile (an export attached to it), or dropped
  const chat = chatFor(core, job.address);
  if (!chat) return;
  // An export runs in the chat: it attached to this job, or it is another one; look again after it.
  if (await core.lanes.hasExport(job.address)) return watchLater(core, job);
  // Another instance took it over (this one stalled past its lease): that one looks at it now.
  if (!(await core.jobs.own(job))) return;
  await core.lanes.enqueue(job.address, 'export', Number.POSITIVE_INFINITY, (signal) =>
    continueJob(core, chat, job, signal, false),
  );
}
