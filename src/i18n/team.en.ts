// Every sentence of team controls (src/core/team), in English: refusals, quotas, costs, the admin commands,
// the usage report and bring-your-own-token. team.zh.ts is typed against this object.

import type { Platform } from './lang.ts';

export type QuotaScope = 'user' | 'chat' | 'global';
export type QuotaUnit = 'jobs' | 'credits';
export type QuotaPeriod = 'day' | 'week' | 'month';

export interface OverQuota {
  scope: QuotaScope;
  unit: QuotaUnit;
  period: QuotaPeriod;
  limit: number;
  used: number;
  /** When the period ends, as `YYYY-MM-DD HH:MM UTC`. */
  resetsAt: string;
}

export interface UsageRow {
  /** A display name or id. */
  name: string;
  jobs: number;
  exports: number;
  credits: number;
  /** Some credits were shared with other jobs on the same account (an estimate). */
  shared: boolean;
  /** Jobs whose credits are not known (the balance could not be read). */
  unknown: number;
  failed: number;
}

export interface AuditLine {
  at: string;
  by: string;
  action: string;
  target?: string;
  detail?: string;
}

/** Whose NemoVideo account a chat uses. */
export type AccountKind = 'own' | 'operator' | 'trial';

const num = (n: number): string => n.toLocaleString('en-US');
const PERIOD: Record<QuotaPeriod, string> = { day: 'day', week: 'week', month: 'month' };
const SCOPE: Record<QuotaScope, string> = {
  user: 'your limit',
  chat: 'this chat’s limit',
  global: 'the whole bot’s limit',
};
const UNIT: Record<QuotaUnit, string> = { jobs: 'jobs', credits: 'credits' };
const row = (r: UsageRow): string =>
  `• ${r.name}: ${num(r.jobs)} jobs (${num(r.exports)} exports), ${r.shared ? '≈' : ''}${num(r.credits)} credits` +
  `${r.unknown ? ` (+${r.unknown} unmeasured)` : ''}, ${num(r.failed)} failed`;

export const teamEn = {
  periodName: (p: QuotaPeriod): string => PERIOD[p],
  unitName: (u: QuotaUnit): string => UNIT[u],

  refused: (o: { userId: string; byChat: boolean }): string =>
    o.byChat
      ? `🔒 Sorry — in this chat the bot is limited to some members. An admin of this chat can add you with /admin allow ${o.userId}.`
      : `🔒 Sorry — this bot is limited to its team, and you’re not on its list yet. Ask one of the bot’s admins to add you: /admin allow ${o.userId}`,
  refusedQuiet: 'I won’t answer further messages for a while.',
  groupNotAllowed: (chatId: string) =>
    `🔒 This bot is limited to its team and this group isn’t on its list, so I’m leaving. One of the bot’s admins can allow it with /admin allow ${chatId} and add me again.`,
  groupNotAllowedStaying: (chatId: string) =>
    `🔒 This bot is limited to its team and this group isn’t on its list: I won’t answer here until one of the bot’s admins allows it with /admin allow ${chatId}.`,
  storeDown:
    '⚠️ I can’t check access or quotas right now (my storage is not answering), so I sent nothing to NemoVideo. Please try again in a minute.',
  overQuota: (o: OverQuota) =>
    `⛔ ${o.scope === 'user' ? 'You’ve' : o.scope === 'chat' ? 'This chat has' : 'The bot has'} used ${num(o.used)} of ${num(o.limit)} ${UNIT[o.unit]} this ${PERIOD[o.period]} (${SCOPE[o.scope]}). It resets ${o.resetsAt}. Nothing was sent to NemoVideo.`,

  exportCost: (credits: number, shared: boolean): string =>
    shared
      ? `🎬 Export · ≈${num(credits)} credits (shared with other work on the same account)`
      : `🎬 Export · ${num(credits)} credits`,
  lastCost: (kind: 'turn' | 'export', credits: number, shared: boolean) =>
    `💳 Last ${kind === 'export' ? 'export' : 'request'}: ${shared ? '≈' : ''}${num(credits)} credits`,

  notOperator: 'Only the bot’s admins (ADMIN_USERS) can do that.',
  groupsOnly:
    'That is for admins of a group or channel, in that chat. In a private chat there is no list to manage.',
  chatAdminKinds:
    'An admin of this chat can allow or deny users and roles in this chat. Chats, servers and quotas are managed by the bot’s admins.',
  badId: (raw: string, forms: string) =>
    `❓ “${raw}” is not an id I know. Use one of: ${forms} (or “here” for this chat).`,
  needId: (sub: string) => `Usage: /admin ${sub} <id>   (e.g. /admin ${sub} tg:123456)`,
  allowed: (id: string, chat: boolean) =>
    chat ? `✅ ${id} may use the bot in this chat.` : `✅ ${id} may use the bot.`,
  denied: (id: string, chat: boolean) =>
    chat ? `🚫 ${id} may no longer use the bot in this chat.` : `🚫 ${id} may no longer use the bot.`,
  listGlobal: (o: { active: boolean; allow: string[]; deny: string[]; you: string }) =>
    [
      o.active
        ? `🔒 The bot is limited to: ${o.allow.join(', ')}`
        : '🔓 The bot is open to everyone (no allow list). /admin allow <id> limits it.',
      ...(o.deny.length ? [`🚫 Denied: ${o.deny.join(', ')}`] : []),
      `You are ${o.you}.`,
    ].join('\n'),
  listChat: (o: { allow: string[]; deny: string[]; you: string }) =>
    [
      o.allow.length
        ? `🔒 In this chat only these (and the chat’s admins) may use the bot: ${o.allow.join(', ')}`
        : '🔓 Everyone in this chat may use the bot (as far as the bot’s own list allows).',
      ...(o.deny.length ? [`🚫 Denied in this chat: ${o.deny.join(', ')}`] : []),
      `You are ${o.you}.`,
    ].join('\n'),
  quotaShow: (lines: string[]) =>
    ['📏 Quotas (reset at 00:00 UTC; weeks start on Monday):', ...lines].join('\n'),
  quotaLine: (who: string, text: string) => `• ${who}: ${text}`,
  quotaWho: { users: 'every user', chats: 'every group chat', all: 'the whole bot' } as Record<
    string,
    string
  >,
  quotaNone: 'no limit',
  quotaSet: (who: string, text: string) => `📏 Quota for ${who}: ${text}.`,
  badQuota: (example: string) =>
    `❓ I can’t read that quota. Use e.g. /admin quota users ${example} — or “off”. Targets: users, chats, all, an id, or here.`,
  adminsShow: (ids: string[]): string =>
    ids.length ? `🛡 The bot’s admins: ${ids.join(', ')}` : '🛡 The bot has no admins besides its terminal.',
  adminAdded: (id: string) => `🛡 ${id} is now an admin of the bot.`,
  adminRemoved: (id: string) => `🛡 ${id} is no longer an admin of the bot.`,
  adminSelf: 'You can’t remove yourself; ask another admin.',
  adminUsersOnly: 'Only users can be admins (tg:<id> or dc:<id>).',
  adminsUsage: 'Usage: /admin admins, /admin admins add <id>, /admin admins remove <id>',
  auditShow: (lines: AuditLine[]) =>
    [
      '🧾 Latest admin changes and refusals:',
      ...lines.map(
        (l) =>
          `${l.at} · ${l.by} · ${l.action}${l.target ? ` ${l.target}` : ''}${l.detail ? ` (${l.detail})` : ''}`,
      ),
    ].join('\n'),
  auditEmpty: '🧾 Nothing recorded yet.',
  adminHelp: [
    '🛡 Team controls — /admin <subcommand>:',
    '/admin list — who may use the bot (in a group: this chat’s own list) and your id',
    '/admin allow <id|here> — let a user, chat, role or server use the bot',
    '/admin deny <id|here> — stop them (a denial wins over everything but the bot’s admins)',
    '/admin quota [users|chats|all|<id>|here] [20 jobs/day, 500 credits/month | off] — show or set quotas',
    '/admin admins [add|remove <id>] — the bot’s admins',
    '/admin audit — latest admin changes and refusals',
    '/usage [day|week|month] — jobs, exports and credits per user and chat',
    'Ids: tg:<user>, dc:<user>, tg-chat:<chat>, dc-chat:<channel>, dc-role:<role>, dc-guild:<server>.',
    'Admins of a group may allow or deny users and roles in their own chat.',
  ].join('\n'),

  usageTitle: (period: QuotaPeriod, since: string, scope: 'all' | 'chat') =>
    `📊 Usage this ${PERIOD[period]} (since ${since})${scope === 'chat' ? ' in this chat' : ''}`,
  usageTotal: (r: UsageRow) => row({ ...r, name: 'Total' }),
  usageByUser: 'By user:',
  usageByChat: 'By chat:',
  usageRow: row,
  usageMore: (n: number) => `…and ${n} more`,
  usageNone: 'No jobs yet in this period.',
  usageTruncated: (n: number) => `(from the latest ${num(n)} jobs kept)`,
  usageBadPeriod: 'Usage: /usage [day|week|month]',

  tokenNoKey:
    '🔑 Bringing your own NemoVideo token is off: the bot’s operator must set BOT_SECRET_KEY (32 random bytes, base64) first.',
  tokenStatus: (kind: AccountKind, by?: string): string =>
    kind === 'own'
      ? `🔑 This chat uses its own NemoVideo account${by ? ` (linked by ${by})` : ''}. /token clear goes back to the bot’s account.`
      : kind === 'operator'
        ? '🔑 This chat uses the bot’s NemoVideo account.'
        : '🔑 This chat uses a free NemoVideo trial account.',
  tokenHowTo: (platform: Platform): string =>
    platform === 'discord'
      ? 'To use your own account, run /token in a DM with me (or, as a server admin, in a channel): a form keeps the token hidden.'
      : platform === 'telegram'
        ? 'To use your own account, send /token <your NemoVideo token> in a private chat with me: I delete the message right away. A group admin sends /token in the group first.'
        : 'To use your own account: /token <your NemoVideo token>',
  tokenMalformed: '❓ That doesn’t look like a NemoVideo token (they look like nmv_usr_…).',
  tokenInvalid: '❌ NemoVideo didn’t accept that token, so I didn’t save it. Check it and try again.',
  tokenCheckFailed:
    '⚠️ I couldn’t check the token with NemoVideo right now, so I didn’t save it. Please try again later.',
  tokenLinked: (where: 'private' | 'group'): string =>
    where === 'private'
      ? '🔑 Done — your chats with me now use your own NemoVideo account (stored encrypted). Your next message starts a new project.'
      : '🔑 Done — that chat now uses this NemoVideo account (stored encrypted). Its next message starts a new project.',
  tokenLinkedNotice: (by: string) =>
    `🔑 ${by} linked this chat to their NemoVideo account: new work here uses it. The next message starts a new project.`,
  tokenCleared:
    '🔑 Token removed: this chat is back on the bot’s account. The next message starts a new project.',
  tokenNone: 'This chat has no token of its own.',
  tokenExposed:
    '🔒 Never post a token where others can read it. I didn’t use it (and deleted the message if I could): treat that token as exposed, create a new one, and send /token in a private chat with me.',
  tokenLinkPending: (minutes: number) =>
    `🔑 Send me /token <the NemoVideo token> in a private chat within ${minutes} minutes: I’ll link it to this chat.`,
  tokenAdminsOnly: 'Only an admin of this chat can link or remove its NemoVideo token.',
  tokenUnreadable:
    '🔑 This chat’s own NemoVideo token can’t be read any more (the bot’s key changed), so I sent nothing. Link it again with /token, or go back to the bot’s account with /token clear.',
  tokenModalTitle: 'Your NemoVideo token',
  tokenModalLabel: 'Token (nmv_usr_…): stays hidden',
};

export type TeamMessages = typeof teamEn;
