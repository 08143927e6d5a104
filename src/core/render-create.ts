// The render-create step of an export: one render per export under every interleaving of instances. The
// render id is recorded (the job, phase `creating`) before the create is sent. The step runs only while this
// instance holds the job's lease (checked right before the create). A job taken over from a gone owner in
// phase `creating` first asks the backend whether that id exists (the create may have reached it before the
// owner died) and creates only when it does not. A duplicate-id answer for an id another owner may have sent
// means "it exists"; only a fresh job whose lease is still ours gets a new id (recorded first) and one retry.

import { isNemoError } from '../nemo/errors.ts';
import { isDuplicateRender } from '../nemo/render.ts';
import type { Draft, NemoAccount } from '../nemo/types.ts';
import type { ChatCtx } from './context.ts';
import { type Job, newRenderId } from './jobs.ts';
import { isExportable } from './timeline.ts';

/** Creates the job's render, or finds it again; leaves the job in phase `rendering` (or dropped: told). */
export async function createRender(
  ctx: ChatCtx,
  account: NemoAccount,
  job: Job,
  draft: Draft | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { jobs } = ctx.core;
  const resumed = !draft;
  if (!draft) {
    if (await renderExists(account, job.id, signal)) {
      await jobs.setPhase(job, 'rendering');
      return;
    }
    draft = (await account.state(job.sessionId, signal)).draft;
    if (!draft || !isExportable(draft)) {
      await ctx.say(ctx.m.nothingToExport);
      await jobs.drop(job);
      return;
    }
  }
  await jobs.fence(job);
  const create = (id: string) =>
    account.startRender({ id, sessionId: job.sessionId, draft, newIdOnDuplicate: false }, signal);
  try {
    await create(job.id);
  } catch (e) {
    if (!isDuplicateRender(e)) throw e;
    // Taken over meanwhile (this instance stalled): the new owner made or makes the render.
    await jobs.fence(job);
    if (resumed) {
      // An earlier owner's create reached the backend after our look: it is this job's render.
      ctx.log.info({ render: job.id }, 'render already created by an earlier owner');
    } else {
      // A fresh id someone else used: a new id, recorded before it is sent (the old job goes).
      const old = { ...job };
      job.id = newRenderId(ctx.core.clock.now());
      await jobs.save(job);
      await jobs.drop(old);
      ctx.log.info({ render: job.id }, 'render id taken: retrying with a new id');
      await jobs.fence(job);
      await create(job.id);
    }
  }
  await jobs.setPhase(job, 'rendering');
  ctx.log.info({ render: job.id }, 'render started');
}

/** Whether the backend knows the render; refused (unknown id) is no, anything else (unreachable) throws. */
async function renderExists(account: NemoAccount, id: string, signal: AbortSignal): Promise<boolean> {
  try {
    await account.renderStatus(id, signal);
    return true;
  } catch (e) {
    if (isNemoError(e) && e.kind === 'refused') return false;
    throw e;
  }
}
