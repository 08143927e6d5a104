import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { CommandName } from '../../core/ports.ts';
import {
  COMMAND_TABLE,
  type CommandSpec,
  commandSpec,
  describeCommand,
  SLASH_EXTRAS,
} from '../../i18n/commands.ts';

// The slash commands, registered on start with zh-CN localizations: every command of the command table, plus
// Discord's own /video (a prompt with up to three files). Names and descriptions come from src/i18n; this file
// only knows Discord's shapes (option types, which command takes files).

const STRING = 3;
const ATTACHMENT = 11;
const GUILD = 0;
const BOT_DM = 1;

interface Named {
  name: string;
  zh: string;
  description: { en: string; zh: string };
}

function text(n: Named, description = n.description) {
  return {
    name: n.name,
    name_localizations: { 'zh-CN': n.zh },
    description: description.en,
    description_localizations: { 'zh-CN': description.zh },
  };
}

const option = (type: number, required: boolean, n: Named, extra: object = {}) => ({
  type,
  required,
  ...text(n),
  ...extra,
});

const file = (n: '' | '2' | '3', required = false) =>
  option(ATTACHMENT, required, {
    ...SLASH_EXTRAS.file,
    name: `${SLASH_EXTRAS.file.name}${n}`,
    zh: `${SLASH_EXTRAS.file.zh}${n}`,
  });

const command = (t: ReturnType<typeof text>, options: object[] = []) => ({
  type: 1,
  ...t,
  options,
  contexts: [GUILD, BOT_DM],
  integration_types: [0],
});

/** Options of the table's commands on Discord: /upload takes its file here; an argument offers its choices. */
function optionsOf(c: CommandSpec): object[] {
  if (c.name === 'upload') return [file('', true)];
  if (!c.arg) return [];
  const choices = c.arg.choices.map((ch) => ({
    name: ch.label.en,
    name_localizations: { 'zh-CN': ch.label.zh },
    value: ch.value,
  }));
  return [option(STRING, false, c.arg, { choices })];
}

/** The command definitions, as sent to PUT /applications/<id>/commands. */
export const COMMANDS = [
  command(text(SLASH_EXTRAS.video), [
    option(STRING, true, SLASH_EXTRAS.prompt),
    file(''),
    file('2'),
    file('3'),
  ]),
  ...COMMAND_TABLE.map((c: CommandSpec) =>
    command(text(c, { en: describeCommand(c, 'en'), zh: describeCommand(c, 'zh') }), optionsOf(c)),
  ),
];

/** The attachment options a slash command may carry (/video's three, /upload's one). */
export const FILE_OPTIONS = ['', '2', '3'].map((n) => `${SLASH_EXTRAS.file.name}${n}`);

/** The option that carries a command's argument (`/lang language:zh`). */
export function argOption(name: CommandName): string | undefined {
  return commandSpec(name).arg?.name;
}

/** Registers the commands: to one guild when set (instant), else globally (may take a while to appear). */
export async function registerCommands(
  rest: REST,
  appId: string,
  guildId: string | undefined,
): Promise<void> {
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  await rest.put(route, { body: COMMANDS });
}
