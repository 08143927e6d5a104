// Team controls (README "Teams"): who may spend the credits, how much, and who spent what. The core calls
// this module at four points: the door (`admit`, before any backend call; `settle` when the message is done),
// around each agent stream and each export (`measureTurn`, `measureExport`: quota units consumed or given
// back, cost measured, usage recorded), and for its commands (/admin, /usage, /token). Every sentence comes
// from src/i18n/team*.ts; everything stored goes through the state port, so several instances agree.

import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.ts';
import { teamMessages } from '../../i18n/team.ts';
import type { NemoClient } from '../../nemo/types.ts';
import type { Logger, Secrets } from '../../secrets.ts';
import type { StatePort } from '../../store/state.ts';
import type { ChatCtx } from '../context.ts';
import { plan as planOf } from '../dispatch.ts';
import type { Job } from '../jobs.ts';
import { chooseLang } from '../language.ts';
import type { ChatAddress, ChatPort, InboundMessage, Platform, Sender } from '../ports.ts';
import type { StreamOutcome } from '../stream.ts';
import { type OwnAccounts, ownAccounts } from './account-switch.ts';
import { admin } from './admin.ts';
import type { AuditEntry, TeamCore, Ticket, UsageEntry } from './core.ts';
import { Ledger } from './ledger.ts';
import { createMeter } from './measure.ts';
import { Policy } from './policy.ts';
import { Quotas } from './quotas.ts';
import { RingLog } from './records.ts';
import { token } from './token.ts';
import { TokenUnreadable, TokenVault } from './tokens.ts';
import { usage, usageEndpoint } from './usage.ts';
import { chatOf, isChatAdmin, type Who, whoOf } from './who.ts';

export type TeamCommand = 'admin' | 'usage' | 'token';

export interface Team {
  /**
   * The door: whether this message may go on. Refuses (telling the sender once, then staying silent for
   * REFUSAL_COOLDOWN_MS) senders the lists do not admit; reserves the quota units of the jobs it asks for
   * and refuses when a limit is reached; fails closed when the store cannot answer. Nothing reached
   * NemoVideo for a refused message. Reservations are held until `settle(msg)`.
   */
  admit(ctx: ChatCtx, msg: InboundMessage): Promise<boolean>;
  /** Gives back what the message reserved and no job used. Call once the message is done. */
  settle(msg: InboundMessage): Promise<void>;
  /** Around one agent stream: consumes a quota unit when the agent worked, measures and records the cost. */
  measureTurn(ctx: ChatCtx, run: () => Promise<StreamOutcome>): Promise<StreamOutcome>;
  /** Around one export (`driveJob`): the same for a render; says the cost under a finished export. */
  measureExport<T>(ctx: ChatCtx, job: Job, run: () => Promise<T>): Promise<T>;
  command(ctx: ChatCtx, name: TeamCommand, arg: string | undefined): Promise<void>;
  /** The bot was added to a group: false (after telling the group) when it should leave. */
  joined(event: { address: ChatAddress; platform: Platform; by: Sender }, chat: ChatPort): Promise<boolean>;
  /** Lines for /status: what the chat's last job cost. */
  statusLines(ctx: ChatCtx): Promise<string[]>;
  /** For Accounts: chats' own tokens (absent without BOT_SECRET_KEY). */
  readonly own: OwnAccounts | undefined;
  /** GET /usage handler (absent without USAGE_TOKEN). */
  readonly endpoint: ReturnType<typeof usageEndpoint> | undefined;
}

export interface TeamDeps {
  config: Config;
  state: StatePort;
  nemo: NemoClient;
  logger: Logger;
  secrets: Secrets;
  now?: () => number;
}

/** How many usage records and audit entries are kept (the oldest are overwritten). */
export const USAGE_KEPT = 5_000;
export const AUDIT_KEPT = 1_000;
const KEEP_MS = 400 * 86_400_000;
const PREFIX: Record<Platform, string> = { telegram: 'tg', discord: 'dc', terminal: 'term' };

export function createTeam(deps: TeamDeps): Team {
  const { config, state, logger } = deps;
  const now = deps.now ?? Date.now;
  for (const s of [config.BOT_SECRET_KEY, config.USAGE_TOKEN]) deps.secrets.add(s);
  const log = logger.child({ mod: 'team' });
  const vault = config.BOT_SECRET_KEY
    ? new TokenVault(state, Buffer.from(config.BOT_SECRET_KEY, 'base64'), deps.secrets)
    : undefined;
  const team: TeamCore = {
    config,
    state,
    nemo: deps.nemo,
    logger: log,
    secrets: deps.secrets,
    policy: new Policy(state, { admins: config.ADMIN_USERS, allow: config.ALLOW_LIST }),
    quotas: new Quotas(
      state,
      { user: config.QUOTA_USER, chat: config.QUOTA_CHAT, global: config.QUOTA_GLOBAL },
      now,
    ),
    ledger: new Ledger(state, {
      owner: `team-${randomUUID()}`,
      lockTtlMs: config.HTTP_TIMEOUT_MS + 5_000,
      now,
    }),
    usage: new RingLog<UsageEntry>(state, 'team:usage', USAGE_KEPT, KEEP_MS, now),
    audit: new RingLog<AuditEntry>(state, 'team:audit', AUDIT_KEPT, KEEP_MS, now),
    vault,
    now,
    async note(entry) {
      await this.audit
        .append(entry)
        .catch((e: unknown) => log.warn({ err: String(e) }, 'audit log unavailable'));
    },
  };
  const tickets = new WeakMap<object, Ticket>();

  const meter = createMeter(team, tickets);

  async function refuse(ctx: ChatCtx, who: Who, byChat: boolean): Promise<void> {
    const first = await state.setIfAbsent(`team:quiet:${who.user}`, 1, config.REFUSAL_COOLDOWN_MS);
    if (!first) return;
    await team.note({ by: who.user, action: 'refused', target: who.chat });
    const t = teamMessages(ctx.lang);
    await ctx.say({ text: `${t.refused({ userId: who.user, byChat })}\n${t.refusedQuiet}`, private: true });
  }

  return {
    own: vault ? ownAccounts(deps.nemo, (address) => vault.tokenFor(address)) : undefined,
    endpoint: config.USAGE_TOKEN ? usageEndpoint(team, config.USAGE_TOKEN) : undefined,

    async admit(ctx, msg) {
      const who = whoOf(msg);
      const ticket: Ticket = { who, msg, rules: [], units: [], pending: [] };
      const p = planOf(msg);
      const jobs =
        p.kind === 'agent'
          ? 1 + (p.after?.name === 'export' ? 1 : 0)
          : p.kind === 'command' && p.command.name === 'export'
            ? 1
            : 0;
      try {
        const verdict = await team.policy.check(who, () => isChatAdmin(who));
        if (!verdict.ok) {
          await refuse(ctx, who, verdict.byChat);
          return false;
        }
        if (jobs > 0 && (await meter.accountOf(msg.address)).kind !== 'own') {
          ticket.rules = await team.quotas.rules(who);
          for (let i = 0; i < jobs; i++) {
            const r = await team.quotas.reserve(ticket.rules);
            if (!r.ok) {
              await Promise.all(ticket.units.map((u) => team.quotas.release(u)));
              await team.note({
                by: who.user,
                action: 'over-quota',
                target: r.over.scope === 'user' ? who.user : r.over.scope === 'chat' ? who.chat : 'all',
                detail: `${r.over.used}/${r.over.limit} ${r.over.unit}/${r.over.period}`,
              });
              await ctx.say({ text: teamMessages(ctx.lang).overQuota(r.over), private: true });
              return false;
            }
            ticket.units.push(r.unit);
          }
        }
      } catch (e) {
        // Fail closed: without the lists or the counters nothing is sent (and nothing is spent).
        log.error({ err: String(e), chat: msg.address }, 'team check failed; refusing');
        await Promise.all(ticket.units.map((u) => team.quotas.release(u).catch(() => {})));
        const t = teamMessages(ctx.lang);
        await ctx.say({
          text: e instanceof TokenUnreadable ? t.tokenUnreadable : t.storeDown,
          private: true,
        });
        return false;
      }
      tickets.set(msg, ticket);
      tickets.set(ctx, ticket);
      return true;
    },

    async settle(msg) {
      const ticket = tickets.get(msg);
      if (!ticket) return;
      await Promise.all(ticket.pending);
      const units = ticket.units.splice(0);
      await Promise.all(units.map((u) => team.quotas.release(u))).catch((e: unknown) =>
        log.warn({ err: String(e) }, 'giving back quota failed'),
      );
    },

    measureTurn: meter.measureTurn,
    measureExport: meter.measureExport,

    async command(ctx, name, arg) {
      const ticket = tickets.get(ctx);
      if (!ticket) return;
      try {
        if (name === 'admin') await admin(team, ctx, ticket.who, arg);
        else if (name === 'usage') await usage(team, ctx, ticket.who, arg);
        else await token(team, ctx, ticket.who, ticket.msg, arg);
      } catch (e) {
        log.error({ err: String(e), command: name }, 'team command failed');
        await ctx.say({ text: teamMessages(ctx.lang).storeDown, private: true });
      }
    },

    async joined(event, chat) {
      const by = `${PREFIX[event.platform]}:${event.by.id}`;
      const chatId = chatOf(event.address);
      let welcome = true;
      try {
        welcome = await team.policy.chatWelcome(chatId, by);
      } catch (e) {
        // The gate refuses (fails closed) on every message anyway; leaving on a store hiccup would be final.
        log.warn({ err: String(e) }, 'could not check a new group; staying');
      }
      if (welcome) return true;
      const leave = config.LEAVE_UNALLOWED_GROUPS;
      const t = teamMessages(chooseLang({ locale: event.by.locale }));
      await chat
        .send({ text: leave ? t.groupNotAllowed(chatId) : t.groupNotAllowedStaying(chatId) })
        .catch((e: unknown) => log.warn({ err: String(e) }, 'could not tell the group'));
      await team.note({ by, action: 'left-group', target: chatId, ...(leave ? {} : { detail: 'stayed' }) });
      return !leave;
    },

    async statusLines(ctx) {
      const last = (await state.get(`team:last:${ctx.address}`).catch(() => undefined)) as
        | { kind: 'turn' | 'export'; credits: number; shared: boolean }
        | undefined;
      return last ? [teamMessages(ctx.lang).lastCost(last.kind, last.credits, last.shared)] : [];
    },
  };
}
