import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ButtonAction, ChatPort, Lang, OutMessage, SentRef, VideoOut } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import type { Screen } from './screen.ts';

// The terminal's ChatPort: bot messages are plain lines on stdout, buttons become a hint line, a video is
// kept as an MP4 under EXPORT_DIR and its path printed. Words come from the core, in the language it chose.

/** `[Export] [Status] [Credits] — type export, status or credits`, in the language the core chose. */
export function buttonHint(buttons: ButtonAction[], lang: Lang = 'en'): string {
  const m = messages(lang);
  const labels = buttons.map((b) => m.buttons[b]);
  return `${labels.map((l) => `[${l}]`).join(' ')} — ${m.buttonsHint(labels)}`;
}

export function renderMessage(message: OutMessage): string {
  const text = message.text.replace(/\s+$/, '');
  return message.buttons?.length ? `${text}\n${buttonHint(message.buttons, message.lang)}` : text;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  // A tiny test render still shows a non-zero size.
  if (mb > 0 && mb < 0.01) return mb.toPrecision(2);
  return mb.toFixed(mb < 10 ? 2 : 1);
}

export interface TerminalPortOptions {
  address: string;
  screen: Screen;
  exportDir: string;
}

/** The terminal's port also tells the language the core last answered in, for the terminal's own notices. */
export interface TerminalPort extends ChatPort {
  readonly lang: Lang;
}

export function createTerminalPort({ address, screen, exportDir }: TerminalPortOptions): TerminalPort {
  const texts = new Map<string, string>();
  let lastRef: string | undefined;
  let next = 0;
  let lang: Lang = 'en';
  const heard = (l: Lang | undefined) => {
    if (l) lang = l;
  };

  const print = (id: string, text: string) => {
    screen.print(text);
    texts.set(id, text);
    lastRef = id;
  };

  const port: TerminalPort = {
    address,
    get lang() {
      return lang;
    },
    // A terminal has no upload limit: every render is downloaded and saved.
    videoLimitBytes: Number.POSITIVE_INFINITY,

    async send(message: OutMessage): Promise<SentRef> {
      heard(message.lang);
      const id = String(++next);
      print(id, renderMessage(message));
      return { id };
    },

    // Nobody else reads this screen: a private message is an ordinary one.
    sendPrivate: (_to, message) => port.send(message),

    async edit(ref: SentRef, message: OutMessage): Promise<void> {
      heard(message.lang);
      const text = renderMessage(message);
      // A script reading stdout gets each new state once, never a repeat of the same line.
      if (texts.get(ref.id) === text) return;
      if (lastRef === ref.id && screen.rewriteLast(text)) {
        texts.set(ref.id, text);
        return;
      }
      print(ref.id, text);
    },

    async sendVideo(video: VideoOut): Promise<void> {
      const id = String(++next);
      if (!video.path) {
        print(id, `${video.linkText}\n${video.url}`);
        return;
      }
      if (video.caption) print(id, video.caption);
      const dir = path.resolve(exportDir);
      let dest = path.resolve(video.path);
      // The core hands over a working copy it deletes afterwards: keep ours directly in EXPORT_DIR.
      if (path.dirname(dest) !== dir) {
        await mkdir(dir, { recursive: true });
        dest = path.join(dir, path.basename(dest));
        await copyFile(video.path, dest);
      }
      const size = video.size ?? (await stat(dest)).size;
      // Machine-readable in every language (scripts grep it): not a sentence.
      print(id, `Saved: ${dest} (${megabytes(size)} MB)`);
    },
  };
  return port;
}
