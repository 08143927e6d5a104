// Quotas per user, per group chat and for the whole bot, each a list of limits (jobs or credits per day, week
// or month; spec.ts). Reserve before spend: a job takes one unit of every jobs counter and one credit of every
// credits counter (a placeholder: the real cost is known only afterwards) through the state port's atomic
// `reserve`, so concurrent messages cannot both pass the last unit, within a process or across instances.
// Afterwards the unit is consumed (the placeholder becomes the measured cost) or given back (no work done).
//
// Limits come from run-time overrides (`/admin quota`, stored per target) over the environment's QUOTA_*.

import type { OverQuota, QuotaScope } from '../../i18n/team.ts';
import type { StatePort } from '../../store/state.ts';
import { type Limit, periodEnd, periodKey } from './spec.ts';
import type { Who } from './who.ts';

export interface Rule {
  scope: QuotaScope;
  /** The counted id: a user, a chat, or `all`. */
  id: string;
  limit: Limit;
}

interface Held {
  key: string;
  ttlMs: number;
}

/** What one job holds until it is consumed or given back. */
export interface JobUnit {
  jobs: Held[];
  credits: Held[];
}

export type QuotaTarget = 'users' | 'chats' | 'all';

export type Reserved = { ok: true; unit: JobUnit } | { ok: false; over: OverQuota };

const TARGETS = 'team:quota:targets';
const override = (target: string) => `team:quota:${target}`;
/** Counters live a minute past their period, so a job ending at midnight settles into its own period. */
const GRACE_MS = 60_000;

function resetText(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export class Quotas {
  constructor(
    private readonly state: StatePort,
    private readonly defaults: Record<QuotaScope, readonly Limit[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The limits a target has now: its override, else (for users and chats) the default, else the environment. */
  async limits(target: string, scope: QuotaScope): Promise<readonly Limit[]> {
    const own = (await this.state.get(override(target))) as Limit[] | undefined;
    if (own) return own;
    const general = scope === 'user' ? 'users' : scope === 'chat' ? 'chats' : undefined;
    const byDefault = general && ((await this.state.get(override(general))) as Limit[] | undefined);
    return byDefault ?? this.defaults[scope];
  }

  /** Every limit a job of `who` counts against (a private chat is its user: no chat quota there). */
  async rules(who: Who): Promise<Rule[]> {
    const [user, chat, global] = await Promise.all([
      this.limits(who.user, 'user'),
      who.private ? Promise.resolve([]) : this.limits(who.chat, 'chat'),
      this.limits('all', 'global'),
    ]);
    return [
      ...user.map((limit) => ({ scope: 'user' as const, id: who.user, limit })),
      ...chat.map((limit) => ({ scope: 'chat' as const, id: who.chat, limit })),
      ...global.map((limit) => ({ scope: 'global' as const, id: 'all', limit })),
    ];
  }

  #held(rule: Rule): Held {
    const at = this.now();
    const { unit, period } = rule.limit;
    return {
      key: `team:q:${rule.scope}:${rule.id}:${unit}:${periodKey(period, at)}`,
      ttlMs: periodEnd(period, at) - at + GRACE_MS,
    };
  }

  /** Takes one job's unit of every rule, all or nothing. Rejects when the store fails (caller fails closed). */
  async reserve(rules: Rule[]): Promise<Reserved> {
    const unit: JobUnit = { jobs: [], credits: [] };
    for (const rule of rules) {
      const held = this.#held(rule);
      let r: { ok: boolean; used: number };
      try {
        r = await this.state.reserve(held.key, 1, rule.limit.amount, held.ttlMs);
      } catch (e) {
        await this.release(unit).catch(() => {});
        throw e;
      }
      if (!r.ok) {
        await this.release(unit);
        const { unit: u, period, amount } = rule.limit;
        const resetsAt = resetText(periodEnd(period, this.now()));
        return {
          ok: false,
          over: { scope: rule.scope, unit: u, period, limit: amount, used: r.used, resetsAt },
        };
      }
      (rule.limit.unit === 'jobs' ? unit.jobs : unit.credits).push(held);
    }
    return { ok: true, unit };
  }

  /** Gives a unit back whole: the job did no work. */
  async release(unit: JobUnit): Promise<void> {
    await Promise.all(
      [...unit.jobs, ...unit.credits].map((h) => this.state.reserve(h.key, -1, null, h.ttlMs)),
    );
  }

  /** The job ran: its job units stay counted, its credit placeholders become the measured cost (0 when unknown). */
  async consume(unit: JobUnit, credits: number | undefined): Promise<void> {
    const delta = Math.round(credits ?? 0) - 1;
    await Promise.all(unit.credits.map((h) => this.state.reserve(h.key, delta, null, h.ttlMs)));
  }

  /** A job no admission reserved for (an export the agent itself started): counted, never refused. */
  async countExtra(rules: Rule[], credits: number | undefined): Promise<void> {
    await Promise.all(
      rules.map((rule) => {
        const held = this.#held(rule);
        const amount = rule.limit.unit === 'jobs' ? 1 : Math.round(credits ?? 0);
        return amount === 0 ? undefined : this.state.reserve(held.key, amount, null, held.ttlMs);
      }),
    );
  }

  /** Sets (or with undefined removes) a target's override: `users`, `chats`, `all` or an id. */
  async set(target: string, limits: Limit[] | undefined): Promise<void> {
    if (limits === undefined) {
      await this.state.delete(override(target));
      await this.state.removeMember(TARGETS, target);
    } else {
      await this.state.set(override(target), limits);
      await this.state.addMember(TARGETS, target);
    }
  }

  /** Every target with limits of its own, and the three defaults, as [target, limits]. */
  async overview(): Promise<Array<[string, readonly Limit[]]>> {
    const targets = (await this.state.members(TARGETS)).filter((t) => !['users', 'chats', 'all'].includes(t));
    const scopes: Array<[string, QuotaScope]> = [
      ['users', 'user'],
      ['chats', 'chat'],
      ['all', 'global'],
    ];
    const defaults = await Promise.all(scopes.map(async ([t, s]) => [t, await this.limits(t, s)] as const));
    const own = await Promise.all(
      targets
        .sort()
        .map(async (t) => [t, ((await this.state.get(override(t))) as Limit[] | undefined) ?? []] as const),
    );
    return [...defaults, ...own].map(([t, l]) => [t, l]);
  }
}
