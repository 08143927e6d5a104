// Every user-facing sentence of the conversation core, in English. messages.zh.ts is typed against this
// object (`Messages`), so a key missing in Chinese fails to compile. Functions take only plain values.

import type { NemoErrorCode } from '../nemo/types.ts';
import { helpLines } from './commands.ts';
import type { Lang, Platform } from './lang.ts';

/** What an error message may need to say (filled by src/core/errors.ts). */
export interface ErrorContext {
  /** The chat uses the operator's NEMO_TOKEN account. */
  operator: boolean;
  /** Where the chat is: a terminal user is the operator, so the terminal names variables and commands. */
  platform: Platform;
  /** Registration link for an anonymous chat that ran out of credits. */
  registerUrl?: string;
  formats: string;
  maxMb: number;
}

const num = (n: number): string => n.toLocaleString('en-US');
/** What a file's name says it is. */
export type MediaKind = 'video' | 'image' | 'audio';
const KIND: Record<MediaKind, string> = { video: 'a video', image: 'an image', audio: 'audio' };
const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);
const PLATFORM: Record<Platform, string> = {
  telegram: 'Telegram',
  discord: 'Discord',
  terminal: 'this terminal',
};
const clip = (s: string, max = 60): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** The client's codes and the core's own: `backend_url_wrong` is a 404 on a route NemoVideo has (NEMO_API_URL points elsewhere). */
export type BotErrorCode = NemoErrorCode | 'backend_url_wrong';
export type ErrorMessages = Record<BotErrorCode, (c: ErrorContext) => string>;

const errors: ErrorMessages = {
  token_invalid: (c: ErrorContext) =>
    !c.operator
      ? '⚠️ NemoVideo didn’t accept the bot’s sign-in. Please try again in a moment.'
      : c.platform === 'terminal'
        ? '⚠️ NemoVideo rejected NEMO_TOKEN (the operator token this bot signs in with). Set a valid token, or remove NEMO_TOKEN to use a free trial, then start the bot again.'
        : '⚠️ NemoVideo rejected the token of this bot’s operator, so I can’t make videos until it is fixed — please tell the bot’s operator. Trying again won’t help.',
  session_not_found: () =>
    'ℹ️ Your NemoVideo session has expired. Send your request again to start a new one.',
  no_credits: (c: ErrorContext) =>
    c.operator || !c.registerUrl
      ? c.operator
        ? '💳 The bot’s NemoVideo account is out of credits — please tell the bot’s operator.'
        : '💳 You’re out of NemoVideo credits. Top up in your NemoVideo account.'
      : `💳 Your free trial credits are used up. Register to get more and keep this project: ${c.registerUrl}`,
  unsupported_file: (c: ErrorContext) => `📎 NemoVideo doesn’t take that file. Supported: ${c.formats}.`,
  file_too_large: (c: ErrorContext) =>
    `📎 That file is too large (limit ${c.maxMb} MB). Compress or trim it and try again.`,
  client_id_missing: () => '⚠️ NemoVideo refused the bot’s trial sign-in. Please try again in a moment.',
  export_blocked: () =>
    '🔒 NemoVideo blocked the export for this plan (this is not about credits): register or upgrade your plan to unlock export.',
  rate_limited: () => '⏳ NemoVideo is busy — try again in a minute.',
  trial_limit: () =>
    '🚫 The free trial limit is reached for this bot — its operator can set NEMO_TOKEN to use a NemoVideo account.',
  backend: () => '⚠️ NemoVideo couldn’t do that right now. Please try again.',
  unreachable: (c: ErrorContext) =>
    c.platform === 'terminal'
      ? '📡 I can’t reach NemoVideo at the address in NEMO_API_URL. Check that address and your connection — or run `npm run dev` to try the bot offline against a local fake NemoVideo.'
      : '📡 I can’t reach NemoVideo right now — try again shortly.',
  backend_url_wrong: (c: ErrorContext) =>
    c.platform === 'terminal'
      ? '⚠️ NEMO_API_URL answers “404 Not Found” on NemoVideo’s own routes, so it looks wrong: use the API’s base address without a path (the default is https://mega-api-prod.nemovideo.ai), or run `npm run dev` for the offline fake.'
      : '⚠️ This bot is set up with a wrong NemoVideo address (it answers “not found”), so I can’t make videos until it is fixed — please tell the bot’s operator.',
  timeout: () =>
    '⌛ NemoVideo took too long to answer. The work may still finish: send `status` later to check.',
  bad_response: () => '⚠️ NemoVideo sent an answer I didn’t understand. Please try again.',
  stream_broken: () =>
    '⚠️ The connection to NemoVideo broke. The work may still finish: send `status` later to check.',
  render_failed: () => '❌ The render failed on NemoVideo’s side. Try `export` again.',
  render_timeout: () => '⌛ The render is taking longer than expected. Try `export` again in a few minutes.',
  aborted: () => '🛑 Stopped.',
};

export const en = {
  /** Labels of the Export / Status / Credits buttons (each adapter draws them its own way). */
  buttons: { export: 'Export', status: 'Status', credits: 'Credits' },
  connecting: 'Connecting…',
  help: (examples: string[]) =>
    [
      "🎬 I make videos with NemoVideo's AI: send me text or images (or a clip) and describe the video you want. Rendering happens in the cloud; a 30-second clip takes about 1–2 minutes.",
      '',
      'Try saying:',
      ...examples.map((e) => `• "${e}"`),
      '',
      'Commands:',
      ...helpLines('en'),
      '',
      'Tip: short, specific prompts give better results.',
    ].join('\n'),
  helpExamples: [
    'generate a 30-second promotional video from this product description',
    'turn these three product images into a 1080p MP4',
    'add lo-fi background music and a title "Urban Dreams"',
  ],
  queued: (ahead: number) => `⏳ Queued (${ahead} ahead)…`,
  busy: '⏳ I’m still busy with your earlier requests — try again after the current one finishes.',
  exportRunning: '🎬 An export is already running — I’ll post the video when it’s ready.',
  /** The first heartbeat has no time; edits of it say how long the turn has run. */
  stillWorking: (seconds?: number): string =>
    seconds === undefined
      ? '⏳ Still working...'
      : `⏳ Still working... (${seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)} min`})`,
  uploadHowTo: (formats: string, maxMb: number) =>
    `📎 To upload, send the file in this chat (as a file or attachment), optionally with a message saying what to do with it. Formats: ${formats}. Up to ${maxMb} MB; MP4, MOV, JPG and PNG work best.`,
  uploadHowToTerminal: (formats: string, maxMb: number) =>
    `📎 To upload, type /upload <file path or https URL> [what to do with it], e.g. /upload ./photo.jpg make it a 10-second clip. Formats: ${formats}. Up to ${maxMb} MB.`,
  /** `name` is empty for a bare `/` or `//`. */
  unknownCommand: (name: string) =>
    name
      ? `❓ I don’t know /${name}. Type /help to see what I can do.`
      : '❓ A command needs its name right after the slash, like /help or /export. Type /help to see them all.',
  promptTooLong: (chars: number, max: number) =>
    `✂️ That message is ${num(chars)} characters long; I take at most ${num(max)} per message, so I didn’t send it. Shorten it, or split it and send the parts one by one.`,
  uploading: (names: string) => `📎 Uploading ${names}…`,
  uploaded: (names: string) => `📎 Uploaded: ${names}`,
  uploadedAsk: 'Now tell me what to make with it.',
  attachmentTooLarge: (name: string, maxMb: number) =>
    `📎 "${clip(name)}" is larger than ${maxMb} MB, the upload limit. Compress or trim it and send it again.`,
  attachmentUnsupported: (name: string, formats: string) =>
    `📎 "${clip(name)}" is not a format NemoVideo takes. Supported: ${formats}.`,
  attachmentUnreadable: (name: string) =>
    `📎 I couldn’t read "${clip(name)}" from this chat. Please send it again.`,
  /** A file over what the platform lets a bot download (Telegram's getFile: 20 MB), refused before any byte moves. */
  attachmentOverPlatformLimit: (name: string, size: number, limit: number, platform: Platform) =>
    `📎 "${clip(name)}" is ${mb(size)} MB, but ${PLATFORM[platform]} lets bots download at most ${mb(limit)} MB. ` +
    'Send a smaller or trimmed file, or paste a public link to it (Google Drive, Dropbox…) instead.' +
    (platform === 'telegram'
      ? ' The bot’s operator can lift this limit by running a local Bot API server (TELEGRAM_LOCAL_API).'
      : ''),
  /** A path typed in the terminal that is not a file. */
  fileNotFound: (path: string) => `File not found: ${path}`,
  /** `/upload my clip.mp4` without quotes: `my` is missing, `my clip.mp4` exists. */
  fileNotFoundQuote: (path: string, spaced: string) =>
    `File not found: ${path}. A path with spaces needs quotes: /upload "${spaced}"`,
  isDirectory: (path: string) =>
    `📁 ${path} is a directory, not a file. Upload its files one by one, e.g. /upload "${path.replace(/\/+$/, '')}/clip.mp4".`,
  attachmentEmpty: (name: string) =>
    `📎 "${clip(name)}" is empty (0 bytes): there is nothing to upload. Check the file and send it again.`,
  /** The content is a supported format, but of another kind than the name says (a JPEG named .mp4). */
  attachmentMismatch: (name: string, named: MediaKind, content: string) =>
    `📎 "${clip(name)}" is named as ${KIND[named]}, but its content is ${content.toUpperCase()}. I only upload files whose content matches their name: rename or convert it, then send it again.`,
  /** The content is no format NemoVideo takes (an .exe renamed .png), or none recognised. */
  attachmentNotMedia: (name: string, content: string | undefined, formats: string) =>
    `📎 "${clip(name)}" isn’t ${content ? `a video, image or audio file (its content is ${content.toUpperCase()})` : 'a video, image or audio file I recognise'}, so I didn’t upload it. Supported: ${formats}.`,
  urlScheme: (scheme: string) =>
    `🔗 I only pass on http:// and https:// links (that one is ${scheme}:). Use a web link NemoVideo can open, or send the file itself.`,
  urlCredentials:
    '🔗 That link has a user name or password in it (user:password@…). I don’t pass passwords on: share the file with a public link instead, or send the file itself.',
  urlMalformed: (url: string) => `🔗 "${clip(url)}" isn’t a valid link. Check it and try again.`,
  /** NemoVideo refused to download a link it was given (`host` only: a link's path and query may be private). */
  urlUnfetchable: (host: string) =>
    `🔗 NemoVideo couldn’t download the file at ${host}: the link may need a sign-in, have expired, or not point at a file. Check that it opens in a private browser window, or send the file itself.`,
  done: 'Done.',
  changes: (lines: string) => `Here’s what changed:\n${lines}`,
  readyToExport: '✅ Your video is ready — export it, or check the timeline first.',
  describeEdit:
    'That step needs dragging things around in NemoVideo’s editor, which a chat can’t do. Describe the edit in words (e.g. "move the title to the start") and I’ll pass it on.',
  stuck:
    '⚠️ NemoVideo has sent nothing but keep-alives for a long time, so I stopped waiting. The request may still finish: send `status` later to see the timeline.',
  agentError: '⚠️ NemoVideo reported a problem with this request. Try again, or say it differently.',
  connectionLost:
    '⚠️ The connection to NemoVideo broke after your message was sent. I won’t send it again (that could cost credits twice) — checking whether it went through…',
  recoveredChanges: (lines: string) => `✅ It went through. Here’s what changed:\n${lines}`,
  recoveryGaveUp:
    'I couldn’t see any change yet. NemoVideo may still be working on it: send `status` in a few minutes to check.',
  newSession:
    'ℹ️ NemoVideo couldn’t find your earlier project, so I started a new one: your earlier timeline is gone.',
  staleRecord:
    'ℹ️ I couldn’t read this chat’s saved project, so I’m starting fresh: your earlier timeline is gone.',
  nothingYet: 'Nothing to show yet — describe your video first.',
  nothingToExport: 'Nothing to export yet — describe your video first.',
  turnInProgress: (minutes: number) =>
    minutes < 1 ? '⏳ Working on your request…' : `⏳ Working on your request (${minutes} min)…`,
  exportInProgress: '🎬 An export is running.',
  credits: (c: { available: number; frozen: number; total: number }) =>
    `💳 Credits: ${num(c.available)} available · ${num(c.frozen)} frozen (held for work in progress) · ${num(c.total)} total`,
  exportStarting: '🎬 Rendering your video…',
  exportProgress: (percent: number | undefined, seconds: number) =>
    percent === undefined ? `🎬 Rendering… (${seconds}s)` : `🎬 Rendering… ${percent}% (${seconds}s)`,
  exportDownloading: (seconds: number) => `🎬 Rendered (${seconds}s). Sending the video…`,
  exportDone: (seconds: number) => `✅ Rendered in ${seconds}s.`,
  videoCaption: '🎬 Your video',
  /** Put above a video's link when it could not be sent as a file. */
  videoAsLink: '🎬 Your video is too large to send here, so here is the link:',
  /** Put above a video's link when it is over the platform's upload limit for bots. */
  videoOverLimit: (platform: Platform, size: number | undefined, limit: number) =>
    `🎬 Your video${size !== undefined ? ` (${mb(size)} MB)` : ''} is over ${PLATFORM[platform]}’s ${mb(limit)} MB upload limit for bots — download it here:`,
  exportResumed: '🎬 I restarted — picking up your export where it left off…',
  restartedTurn: (text: string) =>
    `ℹ️ I restarted while working on your request "${clip(text)}". I won’t send it again — send \`status\` to see whether it went through.`,
  cancelledTurn:
    '🛑 Stopped waiting. NemoVideo may still finish that request (and it may use credits): `status` shows the result later.',
  cancelledExport: '🛑 Export cancelled.',
  cancelledQueue: (n: number) => `🛑 Dropped ${n} queued ${n === 1 ? 'request' : 'requests'}.`,
  nothingToCancel: 'Nothing to cancel.',
  resetDone:
    '🆕 Done — your next message starts a new project. (The old one stays in your NemoVideo account.)',
  resetBusy: 'A request is still running: wait for it or /cancel it, then /reset.',
  adminOnly: 'Only an admin of this chat can do that.',
  langName: (lang: Lang): string => (lang === 'zh' ? '中文 (Chinese)' : 'English'),
  langSet: (name: string) => `🌐 I’ll answer in ${name} in this chat.`,
  langCurrent: (name: string, chosen: boolean) =>
    `🌐 Reply language: ${name}${chosen ? ' (set for this chat)' : ' (from your settings or your messages)'}.\nUsage: /lang en or /lang zh`,
  langUnknown: 'I know two languages: /lang en or /lang zh',
  openLink: (link: string) =>
    `🔗 Open this project in NemoVideo’s web editor (the link is for you only): ${link}`,
  /** A private answer that could not reach the asker privately (a DM the platform refused). */
  privateUnreachable: (bot: string | undefined, again: string | undefined) =>
    `🔒 That answer is for you only, and I can’t message you privately yet: open a private chat with ${bot ?? 'me'} and ${again ? `send ${again}` : 'ask again'} there.`,
  openNothing: 'There’s no project yet — describe your video first.',
  shuttingDown: 'I’m restarting — please send that again in a moment.',
  internal: '⚠️ Something went wrong on my side. Please try again.',
  /** Under a message with buttons where there are none to press (the terminal): what to type instead. */
  buttonsHint: (labels: string[]) => {
    const words = labels.map((l) => l.toLowerCase());
    const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? '');
    return `type ${list}`;
  },
  terminalWelcome: 'NemoVideo — describe the video you want. /help for commands, Ctrl+D to quit.',
  /** The first Ctrl+C while work runs in the terminal: what quitting now costs. `kept`: the store survives a restart. */
  quitWhileWorking: (work: 'turn' | 'export', kept: boolean) =>
    (work === 'export'
      ? kept
        ? '⚠️ An export is running. If you quit now, it picks up where it left off the next time you start the bot.'
        : '⚠️ An export is running, and this bot keeps nothing when it stops (STORE_URL=memory://): quitting now loses the video (the render may still use credits).'
      : kept
        ? '⚠️ Your request is still running. If you quit now, NemoVideo may still finish it: send `status` after you start the bot again.'
        : '⚠️ Your request is still running, and this bot keeps nothing when it stops (STORE_URL=memory://): quitting now loses this project.') +
    ' Press Ctrl+C again to quit.',

  // --- Nothing lost, nothing charged twice (issue 9) ---
  /** After a restart that cut an export before its render was created. */
  exportInterrupted:
    '🎬 I restarted before your export could start, so nothing was rendered or charged. Tap Export to start it again.',
  /** The poll budget ran out while NemoVideo still renders: the job is kept and looked at again. */
  exportStillRendering:
    '🎬 NemoVideo is still rendering your video. I’ll post it here when it’s done — tapping Export again for the same draft won’t render it twice.',
  /** An export of a draft whose render already runs (or finished unposted): no second render. */
  exportReattached: '🎬 This draft is already rendering — I’ll post the video here as soon as it’s done.',
  /** A kept render that never finished within RENDER_KEEP_MS. */
  exportExpired: '⌛ NemoVideo never finished rendering that video. Tap Export to try again.',
  /** The store failed: what was kept and what to do. */
  saveFailed: (what: 'turn' | 'export' | 'render'): string =>
    what === 'export'
      ? '⚠️ I couldn’t save your progress — my storage isn’t answering, so I didn’t start the export and nothing was charged. Tap Export again in a minute.'
      : what === 'render'
        ? '⚠️ I couldn’t save your progress — my storage isn’t answering. I’ll still post the video here when it’s ready, but if I restart before then it may be lost.'
        : '⚠️ I couldn’t save your progress — my storage isn’t answering. I’m carrying on with this request, but if I restart now I may lose track of it.',

  errors,
};

/** The shape every language implements: strings and functions with the same signatures as English. */
export type Messages = typeof en;
