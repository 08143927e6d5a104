import type { ButtonAction, Lang } from '../../core/ports.ts';
import { COMMAND_TABLE, menuDescription } from '../../i18n/commands.ts';

// The command menu (setMyCommands in EN and ZH), made from the command table, and the icons Telegram's inline
// buttons carry before their label. Every word comes from src/i18n.

export interface MenuCommand {
  command: string;
  description: string;
}

/** Every command of the table, described in `lang`. */
export function menu(lang: Lang): MenuCommand[] {
  return COMMAND_TABLE.map((c) => ({ command: c.name, description: menuDescription(c, lang) }));
}

/** Telegram's inline buttons carry an icon before the shared label. */
export const BUTTON_ICONS: Record<ButtonAction, string> = { export: '🎬', status: '📊', credits: '💰' };
