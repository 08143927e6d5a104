// The words of the everyday loop (issue 14): actions on a result, /history and /show, /settings and the house
// defaults. loop.zh.ts is typed against this object, so a missing key fails to compile.

const clip = (s: string, max = 80): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const num = (n: number): string => n.toLocaleString('en-US');

/** One /history entry, as the core hands it over: plain values only. */
export interface HistoryLine {
  n: number;
  /** ms since the epoch; shown in UTC so everyone in a group reads the same time. */
  at: number;
  brief?: string;
  durationSec?: number;
  cost?: number;
  by?: string;
  url: string;
}

/** A chat's house defaults as the core shows them (absent: not set). */
export interface SettingsView {
  aspect?: string;
  lengthSec?: number;
  notes?: string;
  /** The chat's reply language name, or absent for "automatic". */
  lang?: string;
  delivery: 'file' | 'link';
}

export const utc = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

const duration = (s: number): string => {
  const r = Math.round(s);
  return r < 60 ? `${r} s` : `${Math.floor(r / 60)}:${String(r % 60).padStart(2, '0')}`;
};

export const loopEn = {
  // Actions on a result
  staleButton:
    'ℹ️ That button belongs to an earlier project of this chat (it was reset or replaced since), so I did nothing. Use the buttons under the newest result, or describe what you want.',
  unknownButton:
    'ℹ️ That button is from an older version of me and no longer works. Type /help to see what I can do.',
  actionBy: (icon: string, label: string, who: string) => `${icon} ${label} — asked by ${who}`,
  againBy: (brief: string | undefined, who: string) =>
    brief ? `↻ Another take of: "${clip(brief)}" — asked by ${who}` : `↻ Another take — asked by ${who}`,
  confirmPaid: (label: string) =>
    `💳 "${label}" asks NemoVideo for a new version, which uses credits. Go ahead?`,
  confirmYes: 'Yes, go ahead',
  dismissed: 'OK — nothing was sent.',
  editAsk:
    '✏️ What should change? Reply to this message with your edit (e.g. "make the title red and the music calmer").',
  editTitle: 'Edit the video',
  editLabel: 'What should change?',
  editBy: (who: string, text: string) => `✏️ ${who}: ${clip(text, 300)}`,
  // A long brief typed in a Discord modal
  briefTitle: 'Make a video',
  briefLabel: 'Describe the video',
  briefBy: (who: string, text: string) => `🎬 ${who}: ${clip(text, 300)}`,

  // /history and /show
  historyEmpty: '🎞 No exports in this chat yet. Make a video and export it — then /history lists it here.',
  historyHeading: (shown: number, total: number) =>
    `🎞 Recent exports (${shown}${total > shown ? ` of ${total}` : ''}) — /show <number> posts one again:`,
  historyEntry: (e: HistoryLine) => {
    const head = [
      `${e.n}. ${utc(e.at)} UTC`,
      e.brief ? `"${clip(e.brief, 60)}"` : undefined,
      e.durationSec !== undefined ? duration(e.durationSec) : undefined,
      e.cost !== undefined ? `${num(e.cost)} credits` : undefined,
      e.by ? `by ${e.by}` : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    return `${head}\n   ${e.url}`;
  },
  showUsage: (count: number) =>
    count > 0
      ? `Usage: /show <number> — a number from 1 to ${count}, as /history lists them.`
      : 'Usage: /show <number> — but there are no exports in this chat yet.',
  showOutOfRange: (n: string, count: number) =>
    count > 0
      ? `There's no export #${clip(n, 12)} here — /history lists ${count} (1 is the newest).`
      : `There's no export #${clip(n, 12)} here — this chat has no exports yet.`,
  showPosting: (n: number) => `🎞 Posting export #${n} again…`,
  showCaption: (n: number, at: number) => `🎞 Export #${n} from ${utc(at)} UTC`,
  showExpired: (n: number) =>
    `⌛ The video of export #${n} has expired on NemoVideo's side. Render the current project again? (It may use credits.)`,
  showExpiredReset: (n: number) =>
    `⌛ The video of export #${n} has expired on NemoVideo's side, and its project was reset since, so it can't be rendered again here.`,

  // /settings
  settingsHeading: "⚙️ This chat's house defaults (added to each new video brief):",
  settingsAspect: 'Aspect ratio',
  settingsLength: 'Target length',
  settingsNotes: 'Brand notes',
  settingsLang: 'Reply language',
  settingsDelivery: 'Exports',
  colon: ': ',
  settingsNone: 'none',
  settingsAuto: 'automatic',
  deliveryFile: 'attach the file',
  deliveryLink: 'post a link',
  seconds: (s: number) => `${s} s`,
  settingsHow:
    'Change: /settings aspect 9:16|1:1|16:9|none · length <seconds>|none · notes <text>|clear · lang en|zh|auto · delivery file|link · reset',
  settingsAdminsHint: 'In a group only its admins can change these.',
  settingsSaved: '✅ Saved.',
  settingsCleared: '✅ House defaults cleared.',
  settingsBadKey: (key: string) =>
    `I don't know the setting "${clip(key, 20)}". Settings: aspect, length, notes, lang, delivery (or reset).`,
  settingsBadAspect: (allowed: string) => `Aspect ratio must be one of ${allowed} (or "none").`,
  settingsBadLength: (min: number, max: number) =>
    `Target length must be a whole number of seconds from ${min} to ${max} (or "none"), e.g. /settings length 15.`,
  settingsBadLang: 'Reply language must be en, zh or auto.',
  settingsBadDelivery: 'Exports can be "file" (attach the MP4) or "link" (post the link).',
  settingsNotesTooLong: (len: number, max: number) =>
    `📝 Brand notes can be at most ${num(max)} characters — yours are ${num(len)}. Nothing was changed: shorten them and send again.`,
  settingsNotesAsk: (max: number) =>
    `📝 Reply to this message with your brand notes (up to ${max} characters: tone, colours, words to use or avoid), or send /settings notes <text>.`,
  notesTitle: 'Brand notes',
  notesLabel: 'Added to every new brief',
  defaultsUsed: (parts: string) => `⚙️ Using this channel's defaults: ${parts}.`,
  /** What the agent reads under a brief, in the user's language. */
  defaultsForAgent: (parts: string[]) => `House defaults for this video: ${parts.join('; ')}.`,
  agentAspect: (a: string) => `aspect ratio ${a}`,
  agentLength: (s: number) => `about ${s} seconds long`,
  agentNotes: (n: string) => `brand notes: ${n}`,
  brandNotesShort: 'brand notes',
};

export type LoopMessages = typeof loopEn;
