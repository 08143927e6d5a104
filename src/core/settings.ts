// House defaults per chat (issue 14): /settings shows them with a menu; `/settings <key> <value>` (or a menu
// press, a Discord option, a brand-notes reply or modal) changes them, admins only in groups (the command
// table's `admins-to-change`; presses are checked here). The bot adds them, visibly, to the brief that starts
// a project. Every value is checked before anything is saved: a bad one changes nothing.

import { loopMessages } from '../i18n/loop.ts';
import type { ChatCtx } from './context.ts';
import { parseLang } from './language.ts';
import { ASPECTS, type Aspect, type ChatSettings, loopOf, updateLoop } from './loop.ts';
import { notifyField } from './notify.ts';
import type { Button, Lang, Sender } from './ports.ts';

export const NOTES_MAX = 500;
export const LENGTH_MIN = 5;
export const LENGTH_MAX = 300;
/** How long a "reply with your brand notes" prompt waits for its answer. */
export const ASK_TTL_MS = 10 * 60_000;

type Change =
  | { key: 'aspect'; value: Aspect | undefined }
  | { key: 'length'; value: number | undefined }
  | { key: 'notes'; value: string | undefined }
  | { key: 'lang'; value: Lang | undefined }
  | { key: 'delivery'; value: 'file' | 'link' }
  | { key: 'reset' };

const KEYS: Record<string, Change['key']> = {
  aspect: 'aspect',
  ratio: 'aspect',
  画幅: 'aspect',
  length: 'length',
  duration: 'length',
  时长: 'length',
  notes: 'notes',
  brand: 'notes',
  品牌: 'notes',
  品牌说明: 'notes',
  lang: 'lang',
  language: 'lang',
  语言: 'lang',
  delivery: 'delivery',
  exports: 'delivery',
  导出: 'delivery',
  reset: 'reset',
  重置: 'reset',
};
const NONE = new Set(['none', 'off', 'clear', '-', '无', '清除', '关闭']);

/** One `key value` line → a change, or the sentence that refuses it. */
function parseLine(ctx: ChatCtx, line: string): Change | string {
  const lm = loopMessages(ctx.lang);
  const [word = '', ...rest] = line.trim().split(/\s+/);
  const raw = line.trim().slice(word.length).trim();
  const key = KEYS[word.toLowerCase()];
  const value = rest.join(' ').normalize('NFKC').trim().toLowerCase();
  const none = NONE.has(value);
  switch (key) {
    case 'aspect': {
      if (none) return { key, value: undefined };
      const a = value.replace(/[x/×]/g, ':').replace(/\s/g, '');
      const found = ASPECTS.find((x) => x === a);
      return found ? { key, value: found } : lm.settingsBadAspect(ASPECTS.join(', '));
    }
    case 'length': {
      if (none) return { key, value: undefined };
      const m = /^(\d{1,6})\s*(?:s|sec|secs|seconds?|秒)?$/.exec(value);
      const n = m ? Number(m[1]) : Number.NaN;
      return n >= LENGTH_MIN && n <= LENGTH_MAX
        ? { key, value: n }
        : lm.settingsBadLength(LENGTH_MIN, LENGTH_MAX);
    }
    case 'notes': {
      if (none || raw === '') return { key, value: undefined };
      const notes = raw.replace(/\s+/g, ' ');
      return notes.length <= NOTES_MAX
        ? { key, value: notes }
        : lm.settingsNotesTooLong(notes.length, NOTES_MAX);
    }
    case 'lang': {
      if (value === 'auto' || value === '自动' || none) return { key, value: undefined };
      const lang = parseLang(value);
      return lang ? { key, value: lang } : lm.settingsBadLang;
    }
    case 'delivery': {
      if (['file', 'attach', '文件'].includes(value)) return { key, value: 'file' };
      if (['link', 'url', '链接'].includes(value)) return { key, value: 'link' };
      return lm.settingsBadDelivery;
    }
    case 'reset':
      return { key };
    default:
      return lm.settingsBadKey(word);
  }
}

function setOrDelete<K extends keyof ChatSettings>(
  s: ChatSettings,
  key: K,
  value: ChatSettings[K] | undefined,
) {
  if (value === undefined) delete s[key];
  else s[key] = value;
}

/** Applies `key value` lines (all or none); says what was saved, or the first refusal. */
export async function changeSettings(ctx: ChatCtx, text: string): Promise<boolean> {
  // Brand notes take the rest of the text, newlines and all; every other setting is one line.
  const all = text.split('\n');
  const at = all.findIndex((l) => KEYS[l.trim().split(/\s+/)[0]?.toLowerCase() ?? ''] === 'notes');
  const lines = (at < 0 ? all : [...all.slice(0, at), all.slice(at).join('\n')]).filter((l) => l.trim());
  const changes: Change[] = [];
  for (const line of lines) {
    const c = parseLine(ctx, line);
    if (typeof c === 'string') {
      await ctx.say(c);
      return false;
    }
    changes.push(c);
  }
  await updateLoop(ctx, (l) => {
    const s: ChatSettings = l.settings ?? {};
    for (const c of changes) {
      if (c.key === 'reset') {
        delete l.settings;
        return;
      }
      if (c.key === 'aspect') setOrDelete(s, 'aspect', c.value);
      if (c.key === 'length') setOrDelete(s, 'lengthSec', c.value);
      if (c.key === 'notes') setOrDelete(s, 'notes', c.value);
      if (c.key === 'delivery') s.delivery = c.value;
    }
    l.settings = s;
  });
  const lang = changes.find((c) => c.key === 'lang' || c.key === 'reset');
  if (lang) {
    await ctx.core.sessions.update(ctx.address, (r) => {
      if (lang.key === 'lang' && lang.value) r.lang = lang.value;
      else delete r.lang;
    });
  }
  const reset = changes.some((c) => c.key === 'reset');
  // The answer follows a language just chosen.
  const chosen = lang?.key === 'lang' ? lang.value : undefined;
  const lm = loopMessages(chosen ?? ctx.lang);
  await ctx.say({
    text: `${reset ? lm.settingsCleared : lm.settingsSaved}\n${view(ctx, chosen ?? ctx.lang)}`,
  });
  return true;
}

/** The chat's settings as lines, in `lang`. */
function view(ctx: ChatCtx, lang: Lang): string {
  const lm = loopMessages(lang);
  const s = loopOf(ctx).settings ?? {};
  const langName = ctx.record.lang ? ctx.m.langName(ctx.record.lang) : lm.settingsAuto;
  const c = lm.colon;
  return [
    `${lm.settingsAspect}${c}${s.aspect ?? lm.settingsNone}`,
    `${lm.settingsLength}${c}${s.lengthSec !== undefined ? lm.seconds(s.lengthSec) : lm.settingsNone}`,
    `${lm.settingsNotes}${c}${s.notes ?? lm.settingsNone}`,
    `${lm.settingsLang}${c}${langName}`,
    `${lm.settingsDelivery}${c}${s.delivery === 'link' ? lm.deliveryLink : lm.deliveryFile}`,
  ].join('\n');
}

/** The /settings menu: every choice a button (the current one ticked), brand notes through a prompt. */
function menu(ctx: ChatCtx): Button[] {
  const lm = loopMessages(ctx.lang);
  const s = loopOf(ctx).settings ?? {};
  const tick = (on: boolean, label: string) => (on ? `✓ ${label}` : label);
  const set = (data: string, label: string, on: boolean): Button => ({
    action: 'set',
    data,
    label: tick(on, label),
  });
  return [
    ...ASPECTS.map((a) => set(`aspect=${a}`, a, s.aspect === a)),
    set('aspect=none', `${lm.settingsAspect}${lm.colon}${lm.settingsNone}`, !s.aspect),
    ...[15, 30, 60].map((n) => set(`length=${n}`, lm.seconds(n), s.lengthSec === n)),
    set('length=none', `${lm.settingsLength}${lm.colon}${lm.settingsNone}`, s.lengthSec === undefined),
    set('lang=en', 'English', ctx.record.lang === 'en'),
    set('lang=zh', '中文', ctx.record.lang === 'zh'),
    set('lang=auto', lm.settingsAuto, !ctx.record.lang),
    set('delivery=file', lm.deliveryFile, s.delivery !== 'link'),
    set('delivery=link', lm.deliveryLink, s.delivery === 'link'),
    { action: 'notes' },
    set('notes=none', `${lm.settingsNotes}${lm.colon}${lm.settingsNone}`, !s.notes),
  ];
}

/** `/settings` (shows them with the menu) or `/settings <key> <value>` (admin-checked by the command table). */
export async function settingsCommand(ctx: ChatCtx, arg: string | undefined): Promise<void> {
  if (arg?.trim()) {
    await changeSettings(ctx, arg);
    return;
  }
  const lm = loopMessages(ctx.lang);
  const text = [lm.settingsHeading, view(ctx, ctx.lang), '', lm.settingsHow].join('\n');
  await ctx.say({ text, buttons: menu(ctx) });
}

/** Whether the sender may change chat-wide settings (asked only when needed; a failed check says no). */
export async function mayChange(ctx: ChatCtx, sender: Sender): Promise<boolean> {
  const ok = await sender.isAdmin().catch(() => false);
  if (!ok) await ctx.say({ text: ctx.m.adminOnly, ephemeral: true });
  return ok;
}

/** A menu press (`aspect=9:16`) → the same change as typed. */
export function menuLine(data: string | undefined): string | undefined {
  const m = /^(aspect|length|lang|delivery|notes)=(.{1,20})$/.exec(data ?? '');
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** Asks for brand notes as a reply to the bot's message; the answer is matched by `awaitedNotes`. */
export async function askNotes(ctx: ChatCtx, userId: string): Promise<void> {
  // In a group the prompt names who is asked, so only their reply field opens (ForceReply `selective`).
  const sent = await ctx.say({
    text: loopMessages(ctx.lang).settingsNotesAsk(NOTES_MAX),
    ask: true,
    ...notifyField(ctx),
  });
  if (!sent) return;
  await updateLoop(ctx, (l) => {
    l.awaiting = { kind: 'notes', userId, messageId: sent.id, until: Date.now() + ASK_TTL_MS };
  });
}

/** A reply to the bot's brand-notes prompt by the one who was asked: its text, else undefined. */
export function awaitedNotes(ctx: ChatCtx, userId: string, replyToId: string | undefined): boolean {
  const a = loopOf(ctx).awaiting;
  return Boolean(a && replyToId && a.messageId === replyToId && a.userId === userId && a.until > Date.now());
}

export async function clearAwaiting(ctx: ChatCtx): Promise<void> {
  await updateLoop(ctx, (l) => {
    delete l.awaiting;
  });
}

/**
 * The brief as the agent gets it: with the chat's defaults added when it starts a project, and the chat told
 * so. Later prompts of the project are follow-ups and go as written.
 */
export async function withDefaults(ctx: ChatCtx, text: string): Promise<string> {
  const s = loopOf(ctx).settings;
  if (!s || ctx.record.sessionId || !text.trim()) return text;
  const lm = loopMessages(ctx.lang);
  const parts: string[] = [];
  const shown: string[] = [];
  if (s.aspect) {
    parts.push(lm.agentAspect(s.aspect));
    shown.push(s.aspect);
  }
  if (s.lengthSec !== undefined) {
    parts.push(lm.agentLength(s.lengthSec));
    shown.push(lm.seconds(s.lengthSec));
  }
  if (s.notes) {
    parts.push(lm.agentNotes(s.notes));
    shown.push(lm.brandNotesShort);
  }
  if (parts.length === 0) return text;
  await ctx.say(lm.defaultsUsed(shown.join(', ')));
  return `${text.trim()}\n\n${lm.defaultsForAgent(parts)}`;
}

/** Whether exports of this chat go as a link (its setting) rather than the file. */
export function linkOnly(ctx: Pick<ChatCtx, 'record'>): boolean {
  return loopOf(ctx).settings?.delivery === 'link';
}
