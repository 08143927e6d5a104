// `/admin <subcommand>`: the allow lists, quotas, the bot's admins and the audit log. The bot's admins manage
// everything (the bot's own list); an admin of a group manages that group's own list (users and roles only).

import { teamMessages } from '../../i18n/team.ts';
import type { ChatCtx } from '../context.ts';
import { type TeamCore, utc } from './core.ts';
import { formatQuota, ID_FORMS, parsePrincipal, parseQuota, QUOTA_EXAMPLE } from './spec.ts';
import { isChatAdmin, type Who } from './who.ts';

/** Subcommand names and their Chinese aliases (the table's `/admin` subcommands). */
const SUBCOMMANDS: Record<string, string> = {
  help: 'help',
  帮助: 'help',
  list: 'list',
  名单: 'list',
  allow: 'allow',
  允许: 'allow',
  deny: 'deny',
  禁止: 'deny',
  quota: 'quota',
  额度: 'quota',
  admins: 'admins',
  管理员: 'admins',
  audit: 'audit',
  审计: 'audit',
};

const AUDIT_LINES = 20;

export async function admin(team: TeamCore, ctx: ChatCtx, who: Who, arg: string | undefined): Promise<void> {
  const t = teamMessages(ctx.lang);
  const [first = 'help', ...rest] = (arg ?? '').trim().split(/\s+/).filter(Boolean);
  const sub = SUBCOMMANDS[first.toLowerCase()] ?? 'help';
  const operator = await team.policy.isOperator(who.user);
  const chatAdmin = !operator && !who.private && (await isChatAdmin(who));
  const say = (text: string) => ctx.say({ text, private: true });
  if (!operator && !chatAdmin) {
    await say(who.private ? t.notOperator : ctx.m.adminOnly);
    return;
  }
  if (sub === 'help') return void (await say(t.adminHelp));
  if (sub === 'list') {
    const lines: string[] = [];
    if (operator) lines.push(t.listGlobal({ ...(await team.policy.list('global')), you: who.user }));
    if (!who.private) lines.push(t.listChat({ ...(await team.policy.list(who.chat)), you: who.user }));
    return void (await say(lines.join('\n\n')));
  }
  if (sub === 'allow' || sub === 'deny') return change(team, ctx, who, operator, sub, rest[0]);
  if (!operator) return void (await say(t.notOperator));
  if (sub === 'quota') return quota(team, ctx, who, rest);
  if (sub === 'admins') return admins(team, ctx, who, rest);
  const entries = await team.audit.latest({ limit: AUDIT_LINES });
  await say(
    entries.length === 0
      ? t.auditEmpty
      : t.auditShow(
          entries.map((e) => ({
            at: utc(e.at),
            by: e.by,
            action: e.action,
            ...(e.target
              ? { target: e.scope && e.scope !== 'global' ? `${e.target} @${e.scope}` : e.target }
              : {}),
            ...(e.detail ? { detail: e.detail } : {}),
          })),
        ),
  );
}

/** `allow` / `deny`: the bot's list for its admins; the group's own list (users and roles) for a group's admins. */
async function change(
  team: TeamCore,
  ctx: ChatCtx,
  who: Who,
  operator: boolean,
  sub: 'allow' | 'deny',
  raw: string | undefined,
): Promise<void> {
  const t = teamMessages(ctx.lang);
  const say = (text: string) => ctx.say({ text, private: true });
  if (!raw) return void (await say(t.needId(sub)));
  const id = raw.toLowerCase() === 'here' ? { kind: 'chat' as const, id: who.chat } : parsePrincipal(raw);
  if (!id) return void (await say(t.badId(raw, ID_FORMS)));
  const scope = operator ? 'global' : who.chat;
  if (!operator && id.kind !== 'user' && id.kind !== 'role') return void (await say(t.chatAdminKinds));
  if (sub === 'allow') await team.policy.allow(scope, id.id);
  else await team.policy.deny(scope, id.id);
  await team.note({ by: who.user, action: sub, target: id.id, scope });
  await say(sub === 'allow' ? t.allowed(id.id, !operator) : t.denied(id.id, !operator));
}

async function quota(team: TeamCore, ctx: ChatCtx, who: Who, rest: string[]): Promise<void> {
  const t = teamMessages(ctx.lang);
  const say = (text: string) => ctx.say({ text, private: true });
  const name = (target: string) => t.quotaWho[target] ?? target;
  if (rest.length === 0) {
    const lines = (await team.quotas.overview()).map(([target, limits]) =>
      t.quotaLine(name(target), limits.length ? formatQuota(limits) : t.quotaNone),
    );
    return void (await say(t.quotaShow(lines)));
  }
  const [rawTarget = '', ...spec] = rest;
  const target = quotaTarget(rawTarget, who);
  const text = spec.join(' ');
  const reset = ['default', '默认'].includes(text.trim().toLowerCase());
  const limits = reset ? undefined : parseQuota(text);
  if (!target || (!reset && (!limits || text.trim() === '')))
    return void (await say(t.badQuota(QUOTA_EXAMPLE)));
  await team.quotas.set(target, limits);
  const shown = limits === undefined ? 'default' : limits.length ? formatQuota(limits) : t.quotaNone;
  await team.note({ by: who.user, action: 'quota', target, detail: shown });
  await say(t.quotaSet(name(target), shown));
}

/** `users`, `chats`, `all`, `here` (this chat) or a user or chat id. */
function quotaTarget(raw: string, who: Who): string | undefined {
  const s = raw.toLowerCase();
  if (['users', 'chats', 'all'].includes(s)) return s;
  if (s === 'here') return who.chat;
  const p = parsePrincipal(raw);
  return p && (p.kind === 'user' || p.kind === 'chat') ? p.id : undefined;
}

async function admins(team: TeamCore, ctx: ChatCtx, who: Who, rest: string[]): Promise<void> {
  const t = teamMessages(ctx.lang);
  const say = (text: string) => ctx.say({ text, private: true });
  const [action, raw] = rest;
  if (!action) return void (await say(t.adminsShow(await team.policy.admins())));
  const verb = action.toLowerCase();
  if (!['add', 'remove', '添加', '移除'].includes(verb) || !raw) return void (await say(t.adminsUsage));
  const id = parsePrincipal(raw);
  if (!id) return void (await say(t.badId(raw, ID_FORMS)));
  if (id.kind !== 'user') return void (await say(t.adminUsersOnly));
  if (verb === 'add' || verb === '添加') {
    await team.policy.addAdmin(id.id);
    await team.note({ by: who.user, action: 'admin-add', target: id.id });
    return void (await say(t.adminAdded(id.id)));
  }
  if (id.id === who.user) return void (await say(t.adminSelf));
  await team.policy.removeAdmin(id.id);
  await team.note({ by: who.user, action: 'admin-remove', target: id.id });
  await say(t.adminRemoved(id.id));
}
