// `/usage [day|week|month]`: jobs, exports, credits and failures per user and per chat for the current period,
// from the bounded usage records (the bot's admins see everything, a chat's admins their chat). And the same
// records as JSON lines over HTTP (GET /usage, `Authorization: Bearer <USAGE_TOKEN>`) for bookkeeping.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type QuotaPeriod, teamMessages, type UsageRow } from '../../i18n/team.ts';
import type { ChatCtx } from '../context.ts';
import { type TeamCore, type UsageEntry, utc } from './core.ts';
import type { Logged } from './records.ts';
import { type Period, periodStart } from './spec.ts';
import { isChatAdmin, type Who } from './who.ts';

const PERIODS: Record<string, Period> = {
  day: 'day',
  天: 'day',
  week: 'week',
  周: 'week',
  month: 'month',
  月: 'month',
};
const SHOWN = 15;

export async function usage(team: TeamCore, ctx: ChatCtx, who: Who, arg: string | undefined): Promise<void> {
  const t = teamMessages(ctx.lang);
  const say = (text: string) => ctx.say({ text, private: true });
  const operator = await team.policy.isOperator(who.user);
  // In a private chat the user administers it: they see their own usage there.
  if (!operator && !who.private && !(await isChatAdmin(who))) return void (await say(ctx.m.adminOnly));
  const typed = arg?.trim().toLowerCase();
  const period = typed ? PERIODS[typed] : (team.config.QUOTA_USER[0]?.period ?? 'month');
  if (!period) return void (await say(t.usageBadPeriod));
  const since = periodStart(period, team.now());
  let records = await team.usage.latest({ since });
  const truncated = records.length >= team.usage.max;
  if (!operator) records = records.filter((r) => r.chat === who.chat);
  const lines = [t.usageTitle(period as QuotaPeriod, utc(since), operator ? 'all' : 'chat')];
  if (records.length === 0) {
    lines.push(t.usageNone);
    return void (await say(lines.join('\n')));
  }
  lines.push(t.usageTotal(tally(records, 'Total')));
  lines.push(
    '',
    t.usageByUser,
    ...rows(
      records,
      (r) => r.user || '?',
      (r) => (r.name ? `${r.name} (${r.user})` : r.user),
      t,
    ),
  );
  if (operator)
    lines.push(
      '',
      t.usageByChat,
      ...rows(
        records,
        (r) => r.chat,
        (r) => r.chat,
        t,
      ),
    );
  if (truncated) lines.push(t.usageTruncated(team.usage.max));
  await say(lines.join('\n'));
}

function tally(records: UsageEntry[], name: string): UsageRow {
  const row: UsageRow = { name, jobs: 0, exports: 0, credits: 0, shared: false, unknown: 0, failed: 0 };
  for (const r of records) {
    row.jobs += 1;
    if (r.kind === 'export') row.exports += 1;
    if (r.credits === null) row.unknown += 1;
    else row.credits = Math.round((row.credits + r.credits) * 100) / 100;
    row.shared ||= r.shared;
    if (!r.ok) row.failed += 1;
  }
  return row;
}

function rows(
  records: UsageEntry[],
  key: (r: UsageEntry) => string,
  label: (r: UsageEntry) => string,
  t: ReturnType<typeof teamMessages>,
): string[] {
  const groups = new Map<string, UsageEntry[]>();
  for (const r of records) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const all = [...groups.values()]
    .map((g) => tally(g, label(g[0] as UsageEntry)))
    .sort((a, b) => b.credits - a.credits || b.jobs - a.jobs);
  const out = all.slice(0, SHOWN).map(t.usageRow);
  if (all.length > SHOWN) out.push(t.usageMore(all.length - SHOWN));
  return out;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /usage[?since=<ISO date or epoch ms>]: the usage records, oldest first, one JSON object per line. */
export function usageEndpoint(team: TeamCore, token: string) {
  const expected = digest(token);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'application/json' })
        .end('{"ok":false}');
      return;
    }
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('since');
    const since = raw === null ? undefined : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    if (since !== undefined && Number.isNaN(since)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"ok":false,"error":"bad since"}');
      return;
    }
    team.usage.latest(since === undefined ? {} : { since }).then(
      (records: Array<Logged<UsageEntry>>) => {
        const body = records
          .reverse()
          .map((r) => `${JSON.stringify({ ...r, at: new Date(r.at).toISOString() })}\n`)
          .join('');
        res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' }).end(body);
      },
      (e: unknown) => {
        team.logger.error({ err: String(e) }, 'usage export failed');
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"ok":false,"error":"store unavailable"}');
      },
    );
  };
}
