// Routing of a chat message (docs/decisions.md decision 6): a slash command, a bare keyword phrase, or the agent.
// A keyword routes only when, once mentions, fillers and punctuation are gone, what is left is a WHOLE
// phrase of the table; anything longer is a prompt and goes to the agent as written (each agent message may
// cost credits, each wrongly routed one loses the user's words, so the bar for routing is high).

import { COMMAND_TABLE, type CommandName, type CommandSpec } from '../i18n/commands.ts';
import { FILLERS, PUNCTUATION } from '../i18n/keywords.ts';

export type Route =
  | { kind: 'command'; name: CommandName; arg?: string }
  | { kind: 'agent'; text: string }
  /** A slash command the bot does not have (`/exprot`): answered locally, never sent to the paid agent. */
  | { kind: 'unknown'; name: string };

/** Slash names and their Chinese aliases (`/导出`, `/语言`: the names Discord shows, typed by hand). */
const SLASH_NAMES: ReadonlyMap<string, CommandName> = new Map(
  COMMAND_TABLE.flatMap((c) => [
    [c.name, c.name],
    [c.zh, c.name],
  ]),
);

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes the bot's mentions: the given ones anywhere (`@NemoBot`, `<@123>`), any Discord user mention
 * (`<@123>`, `<@!123>`: opaque ids mean nothing to the agent), `@name` tokens leading the message (how a
 * group addresses a bot), and the `@BotName` suffix of a Telegram command (`/export@NemoBot`).
 */
export function stripMentions(text: string, mentions: string[] = []): string {
  let s = text;
  for (const m of mentions) {
    const mention = m.trim();
    if (!mention) continue;
    // A word-like mention must end at a word boundary: `@Nemo` must not eat the start of `@NemoBot`.
    const tail = /\w$/.test(mention) ? '(?![\\w])' : '';
    s = s.replace(new RegExp(`${escapeRe(mention)}${tail}[,:]?[ \\t]*`, 'giu'), '');
  }
  s = s.replace(/<@!?\d+>[,:]?[ \t]*/g, '');
  s = s.replace(/^(?:\s*@[A-Za-z0-9_]{2,32}(?![\w@.])[,:]?)+\s*/u, '');
  s = s.replace(/^(\s*\/[A-Za-z0-9_]+)@[A-Za-z0-9_]+/u, '$1');
  return s.trim();
}

/** Every keyword phrase of the table → its command (only commands the table lets keywords reach). */
const PHRASES: ReadonlyMap<string, CommandName> = new Map(
  COMMAND_TABLE.flatMap((c: CommandSpec & { name: CommandName }) =>
    c.keywords ? [...c.keywords.en, ...c.keywords.zh].map((p) => [p, c.name] as const) : [],
  ),
);

const byLength = (a: string, b: string): number => b.length - a.length;
const EN_FILLERS = new RegExp(
  `(?<![\\p{L}\\p{N}'])(?:${[...FILLERS.en].sort(byLength).map(escapeRe).join('|')})(?![\\p{L}\\p{N}'])`,
  'gu',
);
const ZH_FILLERS = [...FILLERS.zh].sort(byLength);
const ZH_FILLERS_ANYWHERE = new RegExp(ZH_FILLERS.map(escapeRe).join('|'), 'gu');

const squeeze = (s: string): string =>
  s
    .replace(/\s+/gu, ' ')
    .replace(/(?<=\p{Script=Han}) | (?=\p{Script=Han})/gu, '')
    .trim();

/** Lower case, full-width folded, English fillers and punctuation gone, spaces normalised. */
function normalise(text: string): string {
  const s = text
    .replace(/[\u200c\u200d]/g, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‘’]/g, "'")
    .replace(EN_FILLERS, ' ');
  return squeeze(s.replace(PUNCTUATION, ' '));
}

/**
 * The command a whole keyword phrase names, if any. Chinese fillers come off the edges one at a time (so
 * "把视频发给我" keeps its "给我"), and as a last try anywhere ("帮我导出一下视频").
 */
export function matchKeyword(text: string): CommandName | undefined {
  const first = normalise(text);
  // Breadth-first over edge strips: "请把视频发给我" must lose 请, not 给我. Inputs are a few words long.
  const seen = new Set<string>([first]);
  for (let queue = [first]; queue.length > 0 && seen.size < 200; ) {
    const next: string[] = [];
    for (const s of queue) {
      const hit = PHRASES.get(s);
      if (hit) return hit;
      for (const f of ZH_FILLERS) {
        if (s.startsWith(f)) next.push(squeeze(s.slice(f.length)));
        if (s.endsWith(f)) next.push(squeeze(s.slice(0, -f.length)));
      }
    }
    queue = next.filter((s) => !seen.has(s) && seen.add(s));
  }
  return PHRASES.get(squeeze(first.replace(ZH_FILLERS_ANYWHERE, ' ')));
}

/**
 * Invisible format characters (zero-width space, BOM, word joiner, soft hyphen, bidi marks): they never make a
 * keyword something else, and a line of only them is empty. The joiners (ZWJ, ZWNJ) shape emoji and scripts,
 * so they go only at the edges.
 */
const INVISIBLE = /[\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const EDGE_JOINERS = /^[\s\u200c\u200d]+|[\s\u200c\u200d]+$/gu;

/** The text without invisible characters (joiners kept inside). */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, '').replace(EDGE_JOINERS, '');
}

export function route(text: string, opts: { botMentions?: string[] } = {}): Route {
  const stripped = visibleText(stripMentions(visibleText(text), opts.botMentions));
  // A bare `/` or `//`: a command without its name, answered locally rather than sent to the paid agent.
  if (/^\/+$/.test(stripped)) return { kind: 'unknown', name: '' };
  const slash = /^\/([\p{L}\p{N}_]+)(?:\s+([\s\S]*))?$/u.exec(stripped);
  if (slash) {
    const typed = slash[1]!.toLowerCase();
    const name = SLASH_NAMES.get(typed) ?? matchKeyword(typed);
    if (!name) return { kind: 'unknown', name: typed };
    const arg = slash[2]?.trim();
    return arg ? { kind: 'command', name, arg } : { kind: 'command', name };
  }
  const keyword = matchKeyword(stripped);
  return keyword ? { kind: 'command', name: keyword } : { kind: 'agent', text: stripped };
}
