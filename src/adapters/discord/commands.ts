import type { ChatInputCommandInteraction, REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { CommandName } from '../../core/ports.ts';
import { LENGTH_MAX, LENGTH_MIN, NOTES_MAX } from '../../core/settings.ts';
import {
  COMMAND_TABLE,
  type CommandSpec,
  commandSpec,
  describeCommand,
  SLASH_EXTRAS,
} from '../../i18n/commands.ts';
import { SETTING_OPTIONS, type SettingOption } from '../../i18n/loop-commands.ts';
import { messageCommand } from './context-menu.ts';

// The slash commands, registered on start with zh-CN localizations: every command of the command table, plus
// Discord's own /video (a prompt with up to three files). Names and descriptions come from src/i18n; this file
// only knows Discord's shapes (option types, which command takes files).

const SUB_COMMAND = 1;
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const ATTACHMENT = 11;
/** Where the commands may be used: servers, the bot's DMs, and (user-installed) any private channel. */
const CONTEXTS = [0, 1, 2];
/** Installable to a server and to a user (so a marketer can use it in any server or DM). */
const INTEGRATION_TYPES = [0, 1];

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
  contexts: CONTEXTS,
  integration_types: INTEGRATION_TYPES,
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
  if (c.name === 'settings') return SETTING_OPTIONS.map(settingOption);
  // /show 999 reaches the bot (and its clear answer) rather than Discord's generic range error.
  if (c.name === 'show' && c.arg) return [option(INTEGER, true, c.arg, { min_value: 1 })];
  if (!c.arg) return [];
  return [option(STRING, false, c.arg, { choices: choicesOf(c.arg.choices) })];
}

function settingOption(o: SettingOption): object {
  const type = { choice: STRING, integer: INTEGER, text: STRING, boolean: BOOLEAN }[o.kind];
  const choices = o.choices?.map((ch) => ({
    name: ch.label.en,
    name_localizations: { 'zh-CN': ch.label.zh },
    value: ch.value,
  }));
  const extra =
    o.kind === 'integer'
      ? { min_value: LENGTH_MIN, max_value: LENGTH_MAX }
      : o.kind === 'text'
        ? { max_length: NOTES_MAX }
        : {};
  return option(type, false, o, { ...extra, ...(choices ? { choices } : {}) });
}

/** The slash commands (chat input, type 1). */
export const SLASH_COMMANDS = [
  // Without a prompt (and without files) /video opens a modal for a long brief.
  command(text(SLASH_EXTRAS.video), [
    option(STRING, false, SLASH_EXTRAS.prompt),
    file(''),
    file('2'),
    file('3'),
  ]),
  ...COMMAND_TABLE.map((c: CommandSpec) =>
    command(text(c, { en: describeCommand(c, 'en'), zh: describeCommand(c, 'zh') }), optionsOf(c)),
  ),
];

/** Every command definition, as sent to PUT /applications/<id>/commands. */
export const COMMANDS: object[] = [...SLASH_COMMANDS, messageCommand(CONTEXTS, INTEGRATION_TYPES)];

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
