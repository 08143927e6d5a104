// The words of team controls, as data: who an id names (`tg:123`, `dc-role:456`…) and what a quota string
// says (`20 jobs/day, 500 credits/month`). Pure parsing, shared by the configuration (src/config.ts) and the
// admin commands, so the environment and a chat accept exactly the same syntax.

/**
 * Someone or something a list or a quota can name. Users are `<platform>:<id>` (the same form as ADMIN_USERS);
 * chats, Discord roles and servers carry their kind in the prefix, so a Telegram user id never reads as a
 * chat id.
 */
export type PrincipalKind = 'user' | 'chat' | 'role' | 'guild';

export interface Principal {
  kind: PrincipalKind;
  /** The canonical form: `tg:123`, `dc:456`, `term:local`, `tg-chat:-100…`, `dc-chat:…`, `dc-role:…`, `dc-guild:…`. */
  id: string;
}

const FORMS: ReadonlyArray<[RegExp, PrincipalKind]> = [
  [/^tg:\d{1,20}$/, 'user'],
  [/^dc:\d{5,25}$/, 'user'],
  [/^term:local$/, 'user'],
  [/^tg-chat:-?\d{1,20}$/, 'chat'],
  [/^dc-chat:\d{5,25}$/, 'chat'],
  [/^dc-role:\d{5,25}$/, 'role'],
  [/^dc-guild:\d{5,25}$/, 'guild'],
];

/** The id forms, for help texts and error messages. */
export const ID_FORMS =
  'tg:<user>, dc:<user>, tg-chat:<chat>, dc-chat:<channel>, dc-role:<role>, dc-guild:<server>';

/**
 * Parses one id as typed: the canonical forms, and on Discord the mentions its client inserts
 * (`<@123>` a user, `<@&123>` a role, `<#123>` a channel). Undefined when it names nothing we know.
 */
export function parsePrincipal(raw: string): Principal | undefined {
  const s = raw.trim().toLowerCase();
  const mention = /^<(@!?|@&|#)(\d{5,25})>$/.exec(s);
  if (mention) {
    const sigil = mention[1];
    const id = mention[2];
    if (sigil === '@&') return { kind: 'role', id: `dc-role:${id}` };
    if (sigil === '#') return { kind: 'chat', id: `dc-chat:${id}` };
    return { kind: 'user', id: `dc:${id}` };
  }
  for (const [re, kind] of FORMS) if (re.test(s)) return { kind, id: s };
  return undefined;
}

/** A comma- or space-separated list of ids (ALLOW_LIST, ADMIN_USERS); the ids it could not read. */
export function parsePrincipals(raw: string | undefined): { ok: Principal[]; bad: string[] } {
  const ok: Principal[] = [];
  const bad: string[] = [];
  for (const part of (raw ?? '').split(/[\s,]+/)) {
    if (!part) continue;
    const p = parsePrincipal(part);
    if (p) ok.push(p);
    else bad.push(part);
  }
  return { ok, bad };
}

export type Unit = 'jobs' | 'credits';
export type Period = 'day' | 'week' | 'month';

export interface Limit {
  amount: number;
  unit: Unit;
  period: Period;
}

const UNITS: Record<string, Unit> = {
  job: 'jobs',
  jobs: 'jobs',
  次: 'jobs',
  credit: 'credits',
  credits: 'credits',
  积分: 'credits',
};
const PERIODS: Record<string, Period> = {
  day: 'day',
  d: 'day',
  天: 'day',
  日: 'day',
  week: 'week',
  w: 'week',
  周: 'week',
  month: 'month',
  m: 'month',
  月: 'month',
};
const OFF = new Set(['off', 'none', 'unlimited', '关闭', '无']);

/** The largest limit accepted: anything bigger is a typo, not a budget. */
export const MAX_LIMIT = 1_000_000_000;

/**
 * Parses a quota: limits separated by commas or semicolons, each `<n> jobs|credits /day|week|month`
 * (`20 jobs/day, 500 credits/month`; Chinese `20 次/天`), at most one per unit and period. `off` (or an empty
 * string) means no limit: []. Undefined when malformed.
 */
export function parseQuota(raw: string): Limit[] | undefined {
  const s = raw.trim().toLowerCase();
  if (s === '' || OFF.has(s)) return [];
  const limits: Limit[] = [];
  for (const part of s.split(/[,;，；]/)) {
    const m = /^\s*(\d{1,10})\s*([a-z]+|次|积分)\s*(?:\/|per|每)\s*([a-z]+|天|日|周|月)\s*$/u.exec(part);
    const unit = m ? UNITS[m[2] ?? ''] : undefined;
    const period = m ? PERIODS[m[3] ?? ''] : undefined;
    const amount = Number(m?.[1]);
    if (!unit || !period || !(amount <= MAX_LIMIT)) return undefined;
    if (limits.some((l) => l.unit === unit && l.period === period)) return undefined;
    limits.push({ amount, unit, period });
  }
  return limits;
}

/** The canonical text of a quota (`20 jobs/day, 500 credits/month`), `off` for none. */
export function formatQuota(limits: readonly Limit[]): string {
  return limits.length === 0 ? 'off' : limits.map((l) => `${l.amount} ${l.unit}/${l.period}`).join(', ');
}

/** A quota example for error messages. */
export const QUOTA_EXAMPLE = '20 jobs/day, 500 credits/month';

/** The key-worthy name of the period `at` falls in (UTC): `2026-01-05`, `w2026-01-05` (its Monday), `2026-01`. */
export function periodKey(period: Period, at: number): string {
  const start = new Date(periodStart(period, at));
  const day = start.toISOString().slice(0, 10);
  if (period === 'day') return day;
  if (period === 'week') return `w${day}`;
  return day.slice(0, 7);
}

/** When the period `at` falls in began (UTC midnight; weeks start on Monday). */
export function periodStart(period: Period, at: number): number {
  const d = new Date(at);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'month') return Date.UTC(y, m, 1);
  const midnight = Date.UTC(y, m, d.getUTCDate());
  if (period === 'day') return midnight;
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return midnight - sinceMonday * 86_400_000;
}

/** When the period `at` falls in ends (the next one begins). */
export function periodEnd(period: Period, at: number): number {
  const start = new Date(periodStart(period, at));
  if (period === 'day') return start.getTime() + 86_400_000;
  if (period === 'week') return start.getTime() + 7 * 86_400_000;
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
}
