// Around each agent stream and each export: which account pays, the balance before and after (the ledger
// splits shared spend), the quota unit consumed or given back, the usage record, the chat's last cost.

import { randomUUID } from 'node:crypto';
import { teamMessages } from '../../i18n/team.ts';
import { isNemoError } from '../../nemo/errors.ts';
import type { ChatCtx } from '../context.ts';
import type { Job } from '../jobs.ts';
import type { ChatAddress } from '../ports.ts';
import type { StreamOutcome } from '../stream.ts';
import type { TeamCore, Ticket, UsageEntry } from './core.ts';
import type { Cost } from './ledger.ts';
import type { JobUnit } from './quotas.ts';
import { tokenTag } from './tokens.ts';
import { chatOf } from './who.ts';

const LAST_COST_MS = 30 * 86_400_000;

interface Measured {
  account: string;
  job: string;
  open: boolean;
}

export function createMeter(team: TeamCore, tickets: WeakMap<object, Ticket>) {
  /** Whose account pays for the chat's jobs, as the ledger names it (never the token itself). */
  async function accountOf(address: ChatAddress): Promise<{ name: string; kind: UsageEntry['account'] }> {
    const own = team.vault ? await team.vault.tokenFor(address) : undefined;
    if (own) return { name: `own:${tokenTag(own)}`, kind: 'own' };
    if (team.config.NEMO_TOKEN) return { name: 'operator', kind: 'operator' };
    return { name: `trial:${address}`, kind: 'trial' };
  }

  const balanceOf = (ctx: ChatCtx) => async () => {
    const c = await ctx.core.accounts.for(ctx).credits(ctx.core.shutdown);
    return c.available + c.frozen;
  };

  async function begin(ctx: ChatCtx): Promise<Measured | undefined> {
    try {
      const account = (await accountOf(ctx.address)).name;
      const job = randomUUID();
      return { account, job, open: await team.ledger.open(account, job, balanceOf(ctx)) };
    } catch (e) {
      ctx.log.debug({ err: String(e) }, 'cost measurement unavailable');
      return undefined;
    }
  }

  /** Ends a measured job: quota, usage record, last cost. Never throws (the job's own outcome stands). */
  async function end(
    ctx: ChatCtx,
    kind: UsageEntry['kind'],
    m: Measured | undefined,
    result: { work: boolean; ok: boolean },
    unit: JobUnit | undefined,
  ): Promise<Cost | undefined> {
    const ticket = tickets.get(ctx);
    try {
      const cost = m?.open ? await team.ledger.close(m.account, m.job, balanceOf(ctx)) : undefined;
      const work = result.work || (cost?.credits ?? 0) > 0;
      if (!work) {
        if (unit) ticket?.units.unshift(unit);
        return undefined;
      }
      if (unit) await team.quotas.consume(unit, cost?.credits);
      else if (ticket) await team.quotas.countExtra(ticket.rules, cost?.credits);
      await team.usage.append({
        kind,
        user: ticket?.who.user ?? '',
        name: ticket?.who.name ?? '',
        chat: chatOf(ctx.address),
        credits: cost?.credits ?? null,
        shared: cost?.shared ?? false,
        ok: result.ok,
        account: (await accountOf(ctx.address)).kind,
      });
      if (cost) await team.state.set(`team:last:${ctx.address}`, { kind, ...cost }, LAST_COST_MS);
      return cost;
    } catch (e) {
      ctx.log.warn({ err: String(e) }, 'recording the job’s usage failed');
      return undefined;
    }
  }

  return {
    accountOf,

    async measureTurn(ctx: ChatCtx, run: () => Promise<StreamOutcome>): Promise<StreamOutcome> {
      const unit = tickets.get(ctx)?.units.shift();
      const m = await begin(ctx);
      let outcome: StreamOutcome | undefined;
      let failure: unknown;
      try {
        outcome = await run();
        return outcome;
      } catch (e) {
        failure = e;
        throw e;
      } finally {
        // Worked: tools ran, credits went, or the message was delivered and then the stream broke (unknown).
        const delivered = isNemoError(failure) && failure.delivered === true;
        const work = outcome ? outcome.work : delivered;
        const ok = outcome !== undefined && !outcome.error && !outcome.stuck;
        await end(ctx, 'turn', m, { work, ok }, unit);
      }
    },

    async measureExport<T>(ctx: ChatCtx, job: Job, run: () => Promise<T>): Promise<T> {
      const unit = tickets.get(ctx)?.units.shift();
      const m = await begin(ctx);
      let result: T | undefined;
      try {
        result = await run();
        return result;
      } finally {
        // The render exists once it left `creating`; it was posted once it reached `posting` (or it is kept,
        // to be posted when it finishes). The closing reading and the cost line happen after the lane is
        // free: an Export tapped right after "✅ Rendered" must not be told that one is still running.
        const ok = job.phase === 'posting' || result === 'kept';
        const finish = end(ctx, 'export', m, { work: job.phase !== 'creating', ok }, unit).then(
          async (cost) => {
            if (ok && cost) await ctx.say(teamMessages(ctx.lang).exportCost(cost.credits, cost.shared));
          },
        );
        const ticket = tickets.get(ctx);
        if (ticket) ticket.pending.push(finish);
        else await finish;
      }
    },
  };
}
