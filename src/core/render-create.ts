// The one owner of creating an export's render: one render per export (one charge) under every interleaving
// of restarts, instances and lost answers.
// - The render id is recorded (the job, phase `creating`) before the create is sent, and the create goes out
//   only while this instance holds the job's lease (checked right before it: a holder that stalled past its
//   lease stops with LeaseLost instead of creating).
// - A job that may have reached NemoVideo before (resumed after a restart, taken over from a gone instance,
//   re-attached by a later export) asks by its id first and creates only when NemoVideo does not know it.
// - A create that got no answer (network, timeout, 5xx) may have reached NemoVideo: it asks by id; while
//   nobody can tell, the job is kept (Undecided) rather than dropped or created again.
// - A duplicate-id answer for an id an earlier owner may have sent means "it exists"; only a fresh job (still
//   ours) gets a new id, recorded before it is sent, and one more create.

import { createHash } from 'node:crypto';
import { isNemoError, type NemoError } from '../nemo/errors.ts';
import { isDuplicateRender } from '../nemo/render.ts';
import type { Draft, NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import type { Job } from './jobs.ts';
import { stopReason } from './lanes.ts';
import { trySave } from './saving.ts';
import { isExportable } from './timeline.ts';

/** Identifies a draft: the same JSON (whatever its key order) gives the same hash. */
export function draftHash(draft: Draft): string {
  return createHash('sha256').update(canonical(draft)).digest('hex').slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** No answer from NemoVideo (network, timeout, a 5xx): a create may or may not have reached it. */
const unanswered = (e: NemoError) =>
  e.kind === 'network' || e.kind === 'timeout' || (e.code === 'backend' && (e.status ?? 0) >= 500);

/** Thrown when nobody can tell whether the render exists: reported, and the job kept (looked at by id later). */
export class Undecided extends Error {}

/** Creates the job's render once, or finds it again; false when there is nothing the user asked to render. */
export async function createRender(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  given: Draft | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  const { jobs } = ctx.core;
  const rendering = async () => {
    job.phase = 'rendering';
    await trySave(ctx, 'render', () => jobs.update(job));
  };
  const resumed = !given;
  let draft = given;
  if (!draft) {
    if (await exists(account, job.id, signal)) {
      await rendering();
      return true;
    }
    draft = (await account.state(job.sessionId, signal)).draft;
    const asked = job.draftHash === undefined || (draft !== undefined && draftHash(draft) === job.draftHash);
    if (!draft || !isExportable(draft) || !asked) {
      // Not the draft the user asked to export (changed since, or gone): tell rather than render another.
      await jobs.drop(job);
      await ctx.say({ text: ctx.m.exportInterrupted, buttons: ['export'] });
      return false;
    }
  }
  if ((await send(ctx, account, job, draft, signal)) === 'duplicate') {
    await jobs.fence(job);
    if (resumed) {
      // An earlier owner's create reached NemoVideo after our look: it is this job's render.
      ctx.log.info({ render: job.id }, 'render already created by an earlier owner');
    } else {
      // A fresh id someone else used: a new id, recorded before it is sent (the old record goes).
      const old = { ...job };
      job.id = ctx.core.nemo.newRenderId();
      await jobs.save(job);
      await jobs.drop(old);
      ctx.log.info({ render: job.id }, 'render id taken: retrying with a new id');
      if ((await send(ctx, account, job, draft, signal)) === 'duplicate')
        throw new Error('render id taken twice');
    }
  }
  await rendering();
  ctx.log.info({ render: job.id }, 'render started');
  return true;
}

/** One create of the job's render under its lease; 'duplicate' when NemoVideo already has that id. */
async function send(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  draft: Draft,
  signal: AbortSignal,
): Promise<'created' | 'duplicate'> {
  await ctx.core.jobs.fence(job);
  try {
    await account.startRender(
      { id: job.id, sessionId: job.sessionId, draft, newIdOnDuplicate: false },
      signal,
    );
    return 'created';
  } catch (e) {
    if (isDuplicateRender(e)) return 'duplicate';
    if (!isNemoError(e) || !unanswered(e) || stopReason(signal)) throw e;
    // No answer: the create may have reached NemoVideo (a charge). Ask by id; while nobody can tell, keep the
    // job (looked at again later, by id) rather than drop a render that may be running.
    const known = await exists(account, job.id, signal).catch(() => undefined);
    if (known === true) return 'created';
    if (known === undefined) throw new Undecided('render create unanswered', { cause: e });
    throw e;
  }
}

/** Whether NemoVideo has a render with this id (a refusal means no; no answer throws). */
export async function exists(account: NemoAccount, id: string, signal: AbortSignal): Promise<boolean> {
  try {
    await account.renderStatus(id, signal);
    return true;
  } catch (e) {
    if (isNemoError(e) && e.kind === 'refused' && !unanswered(e)) return false;
    throw e;
  }
}
