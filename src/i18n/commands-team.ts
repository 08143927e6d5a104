// The command table's rows for team controls (src/core/team): /usage, /admin with its subcommands, /token.
// Spread into COMMAND_TABLE (./commands.ts), so menus, help, routing and Discord's slash commands list them.
// `who` is 'anyone' because team controls check rights themselves: the bot's admins (ADMIN_USERS) may run
// them in any chat, which a chat-admin check would refuse.

import type { CommandSpec } from './commands.ts';

const ID_OPTION = {
  name: 'id',
  zh: '编号',
  description: {
    en: 'tg:123, dc:456, tg-chat:…, dc-chat:…, dc-role:…, dc-guild:…, a mention, or here',
    zh: 'tg:123、dc:456、tg-chat:…、dc-chat:…、dc-role:…、dc-guild:…、提及，或 here',
  },
} as const;

export const TEAM_COMMANDS = [
  {
    name: 'usage',
    zh: '用量',
    who: 'anyone',
    runs: 'now',
    description: {
      en: 'Jobs, exports and credits per user and chat (admins)',
      zh: '每位用户和每个群的任务、导出和积分（管理员）',
    },
    arg: {
      name: 'period',
      zh: '周期',
      usage: 'day|week|month',
      description: { en: 'Which period (default: this month)', zh: '统计周期（默认：本月）' },
      choices: [
        { value: 'day', label: { en: 'Today', zh: '今天' } },
        { value: 'week', label: { en: 'This week', zh: '本周' } },
        { value: 'month', label: { en: 'This month', zh: '本月' } },
      ],
    },
  },
  {
    name: 'admin',
    zh: '管理',
    who: 'anyone',
    runs: 'now',
    description: {
      en: 'Team controls: who may use the bot, quotas, audit (admins)',
      zh: '团队管控：谁能使用机器人、额度、审计（管理员）',
    },
    subcommands: [
      {
        name: 'list',
        zh: '名单',
        description: { en: 'Who may use the bot, and your id', zh: '谁可以使用机器人，以及你的 ID' },
      },
      {
        name: 'allow',
        zh: '允许',
        description: {
          en: 'Let a user, chat, role or server use the bot',
          zh: '允许用户、群、身份组或服务器使用机器人',
        },
        options: [{ ...ID_OPTION, required: true }],
      },
      {
        name: 'deny',
        zh: '禁止',
        description: {
          en: 'Stop a user, chat, role or server from using it',
          zh: '禁止用户、群、身份组或服务器使用',
        },
        options: [{ ...ID_OPTION, required: true }],
      },
      {
        name: 'quota',
        zh: '额度',
        description: { en: 'Show or set quotas', zh: '查看或设置额度' },
        options: [
          {
            name: 'target',
            zh: '对象',
            description: {
              en: 'users, chats, all, an id, or here',
              zh: 'users、chats、all、某个 ID 或 here',
            },
          },
          {
            name: 'limits',
            zh: '限额',
            description: {
              en: 'e.g. 20 jobs/day, 500 credits/month — or off, or default',
              zh: '例如 20 次/天, 500 积分/月——或 off、default',
            },
          },
        ],
      },
      {
        name: 'admins',
        zh: '管理员',
        description: { en: 'The bot’s admins: list, add or remove', zh: '机器人管理员：查看、添加或移除' },
        options: [
          {
            name: 'action',
            zh: '操作',
            description: { en: 'add or remove', zh: '添加或移除' },
            choices: [
              { value: 'add', label: { en: 'add', zh: '添加' } },
              { value: 'remove', label: { en: 'remove', zh: '移除' } },
            ],
          },
          ID_OPTION,
        ],
      },
      {
        name: 'audit',
        zh: '审计',
        description: { en: 'Latest admin changes and refusals', zh: '最近的管理变更和拒绝记录' },
      },
      { name: 'help', zh: '帮助', description: { en: 'What each subcommand does', zh: '各子命令的说明' } },
    ],
  },
  {
    name: 'token',
    zh: '令牌',
    who: 'anyone',
    runs: 'now',
    description: {
      en: 'Use your own NemoVideo account (token stays private)',
      zh: '使用自己的 NemoVideo 账户（令牌保密）',
    },
    arg: {
      name: 'action',
      zh: '操作',
      usage: '<token>|clear',
      description: { en: 'clear: back to the bot’s account', zh: 'clear：改回机器人的账户' },
      choices: [{ value: 'clear', label: { en: 'clear', zh: '清除' } }],
    },
  },
] as const satisfies readonly CommandSpec[];
