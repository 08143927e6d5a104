// 团队管控的中文消息：typed against the English object (team.en.ts), so a missing key fails to compile.

import type { Platform } from './lang.ts';
import type {
  AccountKind,
  AuditLine,
  OverQuota,
  QuotaPeriod,
  QuotaScope,
  QuotaUnit,
  TeamMessages,
  UsageRow,
} from './team.en.ts';

const num = (n: number): string => n.toLocaleString('en-US');
const PERIOD: Record<QuotaPeriod, string> = { day: '天', week: '周', month: '月' };
const THIS: Record<QuotaPeriod, string> = { day: '今天', week: '本周', month: '本月' };
const SCOPE: Record<QuotaScope, string> = {
  user: '你的额度',
  chat: '本群的额度',
  global: '整个机器人的额度',
};
const UNIT: Record<QuotaUnit, string> = { jobs: '次任务', credits: '积分' };
const row = (r: UsageRow): string =>
  `• ${r.name}：${num(r.jobs)} 次任务（导出 ${num(r.exports)} 次），${r.shared ? '约 ' : ''}${num(r.credits)} 积分` +
  `${r.unknown ? `（另有 ${r.unknown} 次未计量）` : ''}，失败 ${num(r.failed)} 次`;

export const teamZh: TeamMessages = {
  periodName: (p: QuotaPeriod): string => PERIOD[p],
  unitName: (u: QuotaUnit): string => UNIT[u],

  refused: (o: { userId: string; byChat: boolean }) =>
    o.byChat
      ? `🔒 抱歉——在这个群里，机器人只对部分成员开放。本群管理员可以用 /admin allow ${o.userId} 添加你。`
      : `🔒 抱歉——这个机器人只对团队成员开放，你还不在名单中。请机器人管理员添加你：/admin allow ${o.userId}`,
  refusedQuiet: '接下来一段时间内我不会再回复你的消息。',
  groupNotAllowed: (chatId: string) =>
    `🔒 这个机器人只对团队开放，本群不在名单中，我先退出了。机器人管理员可以用 /admin allow ${chatId} 允许本群，然后再把我加进来。`,
  groupNotAllowedStaying: (chatId: string) =>
    `🔒 这个机器人只对团队开放，本群不在名单中：在机器人管理员用 /admin allow ${chatId} 允许之前，我不会在这里回复。`,
  storeDown:
    '⚠️ 我现在无法检查权限或额度（存储没有响应），所以没有向 NemoVideo 发送任何内容。请一分钟后再试。',
  overQuota: (o: OverQuota) =>
    `⛔ ${o.scope === 'user' ? '你' : o.scope === 'chat' ? '本群' : '机器人'}${THIS[o.period]}已用 ${num(o.used)}/${num(o.limit)} ${UNIT[o.unit]}（${SCOPE[o.scope]}），将于 ${o.resetsAt} 重置。没有向 NemoVideo 发送任何内容。`,

  exportCost: (credits: number, shared: boolean) =>
    shared
      ? `🎬 导出 · 约 ${num(credits)} 积分（与同一账户的其他任务分摊）`
      : `🎬 导出 · ${num(credits)} 积分`,
  lastCost: (kind: 'turn' | 'export', credits: number, shared: boolean) =>
    `💳 上一次${kind === 'export' ? '导出' : '请求'}：${shared ? '约 ' : ''}${num(credits)} 积分`,

  notOperator: '只有机器人管理员（ADMIN_USERS）才能这样做。',
  groupsOnly: '这是给群或频道管理员在本群使用的。私聊中没有需要管理的名单。',
  chatAdminKinds: '本群管理员可以在本群允许或禁止用户和身份组。群、服务器和额度由机器人管理员管理。',
  badId: (raw: string, forms: string) =>
    `❓ “${raw}”不是我认识的 ID。请使用：${forms}（或用“here”表示本群）。`,
  needId: (sub: string) => `用法：/admin ${sub} <ID>（例如 /admin ${sub} tg:123456）`,
  allowed: (id: string, chat: boolean) =>
    chat ? `✅ ${id} 可以在本群使用机器人。` : `✅ ${id} 可以使用机器人。`,
  denied: (id: string, chat: boolean) =>
    chat ? `🚫 ${id} 不能再在本群使用机器人。` : `🚫 ${id} 不能再使用机器人。`,
  listGlobal: (o: { active: boolean; allow: string[]; deny: string[]; you: string }) =>
    [
      o.active
        ? `🔒 机器人只对这些开放：${o.allow.join('、')}`
        : '🔓 机器人对所有人开放（没有允许名单）。用 /admin allow <ID> 来限制。',
      ...(o.deny.length ? [`🚫 已禁止：${o.deny.join('、')}`] : []),
      `你的 ID 是 ${o.you}。`,
    ].join('\n'),
  listChat: (o: { allow: string[]; deny: string[]; you: string }) =>
    [
      o.allow.length
        ? `🔒 本群只有这些成员（以及本群管理员）可以使用机器人：${o.allow.join('、')}`
        : '🔓 本群所有人都可以使用机器人（在机器人名单允许的范围内）。',
      ...(o.deny.length ? [`🚫 本群已禁止：${o.deny.join('、')}`] : []),
      `你的 ID 是 ${o.you}。`,
    ].join('\n'),
  quotaShow: (lines: string[]) => ['📏 额度（UTC 零点重置；每周从周一开始）：', ...lines].join('\n'),
  quotaLine: (who: string, text: string) => `• ${who}：${text}`,
  quotaWho: { users: '每位用户', chats: '每个群', all: '整个机器人' } as Record<string, string>,
  quotaNone: '不限',
  quotaSet: (who: string, text: string) => `📏 ${who}的额度：${text}。`,
  badQuota: (example: string) =>
    `❓ 无法识别这个额度。例如：/admin quota users ${example}（或 20 次/天），或“off”。对象：users、chats、all、某个 ID 或 here。`,
  adminsShow: (ids: string[]) =>
    ids.length ? `🛡 机器人管理员：${ids.join('、')}` : '🛡 除终端外，机器人没有管理员。',
  adminAdded: (id: string) => `🛡 ${id} 现在是机器人管理员。`,
  adminRemoved: (id: string) => `🛡 ${id} 已不再是机器人管理员。`,
  adminSelf: '你不能移除自己，请让其他管理员操作。',
  adminUsersOnly: '只有用户才能成为管理员（tg:<ID> 或 dc:<ID>）。',
  adminsUsage: '用法：/admin admins、/admin admins add <ID>、/admin admins remove <ID>',
  auditShow: (lines: AuditLine[]) =>
    [
      '🧾 最近的管理变更和拒绝记录：',
      ...lines.map(
        (l) =>
          `${l.at} · ${l.by} · ${l.action}${l.target ? ` ${l.target}` : ''}${l.detail ? `（${l.detail}）` : ''}`,
      ),
    ].join('\n'),
  auditEmpty: '🧾 还没有任何记录。',
  adminHelp: [
    '🛡 团队管控 —— /admin（管理）<子命令>：',
    '/admin list —— 谁可以使用机器人（在群里：本群自己的名单）以及你的 ID',
    '/admin allow <ID|here> —— 允许某个用户、群、身份组或服务器使用机器人',
    '/admin deny <ID|here> —— 禁止他们使用（除机器人管理员外，禁止优先）',
    '/admin quota [users|chats|all|<ID>|here] [20 次/天, 500 积分/月 | off] —— 查看或设置额度',
    '/admin admins [add|remove <ID>] —— 机器人管理员',
    '/admin audit —— 最近的管理变更和拒绝记录',
    '/usage（用量）[day|week|month] —— 每位用户和每个群的任务、导出和积分',
    'ID：tg:<用户>、dc:<用户>、tg-chat:<群>、dc-chat:<频道>、dc-role:<身份组>、dc-guild:<服务器>。',
    '群管理员可以在自己的群里允许或禁止用户和身份组。',
  ].join('\n'),

  usageTitle: (period: QuotaPeriod, since: string, scope: 'all' | 'chat') =>
    `📊 ${THIS[period]}用量（自 ${since} 起）${scope === 'chat' ? '，本群' : ''}`,
  usageTotal: (r: UsageRow) => row({ ...r, name: '合计' }),
  usageByUser: '按用户：',
  usageByChat: '按群：',
  usageRow: row,
  usageMore: (n: number) => `……还有 ${n} 个`,
  usageNone: '本期还没有任务。',
  usageTruncated: (n: number) => `（基于保留的最近 ${num(n)} 次任务）`,
  usageBadPeriod: '用法：/usage（用量）[day|week|month]',

  tokenNoKey:
    '🔑 “使用自己的 NemoVideo 令牌”功能未开启：机器人运营者需要先设置 BOT_SECRET_KEY（32 个随机字节，base64）。',
  tokenStatus: (kind: AccountKind, by?: string) =>
    kind === 'own'
      ? `🔑 本聊天使用自己的 NemoVideo 账户${by ? `（由 ${by} 绑定）` : ''}。发送 /token clear 可改回机器人的账户。`
      : kind === 'operator'
        ? '🔑 本聊天使用机器人的 NemoVideo 账户。'
        : '🔑 本聊天使用免费的 NemoVideo 试用账户。',
  tokenHowTo: (platform: Platform) =>
    platform === 'discord'
      ? '要使用自己的账户，请在与我的私信中运行 /token（服务器管理员也可以在频道中运行）：表单会隐藏令牌。'
      : platform === 'telegram'
        ? '要使用自己的账户，请在与我的私聊中发送 /token <你的 NemoVideo 令牌>：我会立即删除这条消息。群管理员请先在群里发送 /token。'
        : '要使用自己的账户：/token <你的 NemoVideo 令牌>',
  tokenMalformed: '❓ 这看起来不像 NemoVideo 令牌（令牌形如 nmv_usr_…）。',
  tokenInvalid: '❌ NemoVideo 不接受这个令牌，所以我没有保存。请检查后重试。',
  tokenCheckFailed: '⚠️ 我现在无法向 NemoVideo 验证这个令牌，所以没有保存。请稍后再试。',
  tokenLinked: (where: 'private' | 'group') =>
    where === 'private'
      ? '🔑 完成——你和我的聊天现在使用你自己的 NemoVideo 账户（已加密保存）。你的下一条消息会开始一个新项目。'
      : '🔑 完成——那个群现在使用这个 NemoVideo 账户（已加密保存）。下一条消息会开始一个新项目。',
  tokenLinkedNotice: (by: string) =>
    `🔑 ${by} 把本群绑定到了他的 NemoVideo 账户：之后的任务都会使用它。下一条消息会开始一个新项目。`,
  tokenCleared: '🔑 令牌已移除：本聊天改回使用机器人的账户。下一条消息会开始一个新项目。',
  tokenNone: '本聊天没有自己的令牌。',
  tokenExposed:
    '🔒 不要把令牌发在别人能看到的地方。我没有使用它（并尽可能删除了那条消息）：请把这个令牌视为已泄露，新建一个，然后在与我的私聊中发送 /token。',
  tokenLinkPending: (minutes: number) =>
    `🔑 请在 ${minutes} 分钟内私聊我发送 /token <NemoVideo 令牌>：我会把它绑定到本群。`,
  tokenAdminsOnly: '只有本群管理员才能绑定或移除本群的 NemoVideo 令牌。',
  tokenUnreadable:
    '🔑 无法再读取本聊天自己的 NemoVideo 令牌（机器人的密钥已更换），所以我没有发送任何内容。请用 /token 重新绑定，或用 /token clear 改回机器人的账户。',
  tokenModalTitle: '你的 NemoVideo 令牌',
  tokenModalLabel: '令牌（nmv_usr_…）：不会公开显示',
};
