import type { ChatInputCommandInteraction, REST } from 'discord.js';
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

const SUB_COMMAND = 1;
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

const choicesOf = (list: ReadonlyArray<{ value: string; label: { en: string; zh: string } }>) =>
  list.map((ch) => ({ name: ch.label.en, name_localizations: { 'zh-CN': ch.label.zh }, value: ch.value }));

/**
 * Options of the table's commands on Discord: /upload takes its file here; an argument offers its choices;
 * subcommands (/admin allow …) become real subcommands with string options.
 */
function optionsOf(c: CommandSpec): object[] {
  if (c.name === 'upload') return [file('', true)];
  if (c.subcommands)
    return c.subcommands.map((sub) =>
      option(SUB_COMMAND, false, sub, {
        required: undefined,
        options: (sub.options ?? []).map((o) =>
          option(STRING, o.required ?? false, o, o.choices ? { choices: choicesOf(o.choices) } : {}),
        ),
      }),
    );
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

/** A subcommand and its options, in the table's order, as the argument typed elsewhere (`allow tg:123`). */
export function subcommandArg(
  name: CommandName,
  options: ChatInputCommandInteraction['options'],
): string | undefined {
  const spec = commandSpec(name).subcommands?.find((s) => s.name === options.getSubcommand(false));
  if (!spec) return undefined;
  const values = (spec.options ?? []).map((o) => options.getString(o.name)?.trim() ?? '').filter(Boolean);
  return [spec.name, ...values].join(' ');
}

/** The text input of the /token modal. */
export const TOKEN_INPUT = 'token';

/** The /token modal (interaction response type 9): the token is typed where nobody else sees it. */
export function tokenModal(words: { tokenModalTitle: string; tokenModalLabel: string }) {
  return {
    custom_id: 'token',
    title: words.tokenModalTitle,
    components: [
      {
        type: 18, // Label
        label: words.tokenModalLabel,
        component: {
          type: 4,
          custom_id: TOKEN_INPUT,
          style: 1,
          required: true,
          min_length: 16,
          max_length: 512,
        },
      },
    ],
  };
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
