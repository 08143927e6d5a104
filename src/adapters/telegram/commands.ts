import type { LanguageCode } from 'grammy/types';
import type { Lang } from '../../core/ports.ts';
import { COMMAND_TABLE, type CommandSpec, menuDescription } from '../../i18n/commands.ts';

// The command menus (setMyCommands), made from the command table, in EN and ZH: in groups members see the
// commands anyone may run; administrators (and everyone in a private chat, where they are the admin) see every
// command. Every word comes from src/i18n.

export interface MenuCommand {
  command: string;
  description: string;
}

/** Telegram's BotCommandScope: the menus a bot sets, from the widest to the narrowest. */
export type MenuScope = 'default' | 'all_private_chats' | 'all_chat_administrators';

const forEveryone = (c: CommandSpec) => c.who !== 'admins';

/** The commands of the table a menu shows, described in `lang`. */
export function menu(lang: Lang, scope: MenuScope = 'all_private_chats'): MenuCommand[] {
  return COMMAND_TABLE.filter((c: CommandSpec) => scope !== 'default' || forEveryone(c)).map((c) => ({
    command: c.name,
    description: menuDescription(c, lang),
  }));
}

export interface MenuCall {
  commands: MenuCommand[];
  scope?: { type: Exclude<MenuScope, 'default'> };
  language_code?: LanguageCode;
}

/** Every setMyCommands call the bot makes at start: three scopes, English and Chinese each. */
export function menuCalls(): MenuCall[] {
  const scopes: MenuScope[] = ['default', 'all_private_chats', 'all_chat_administrators'];
  return scopes.flatMap((scope) =>
    (['en', 'zh'] as const).map((lang) => ({
      commands: menu(lang, scope),
      ...(scope === 'default' ? {} : { scope: { type: scope } }),
      ...(lang === 'zh' ? { language_code: 'zh' as const } : {}),
    })),
  );
}
