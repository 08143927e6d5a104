import type { RecordedCall, TgChat, TgUser } from '../fakes/telegram/server.ts';
import { until } from '../terminal/child.ts';
import { isPlaceholder } from './texts.ts';
import type { World } from './world.ts';

// A user in a private chat, and what the fakes saw of that chat: the bot's messages and videos, the
// NemoVideo sessions its prompts went to, the renders created there (each a charge).

const OUTPUT_METHODS = new Set(['sendMessage', 'sendVideo', 'sendDocument', 'sendAnimation']);
/** A render's output URL (the CDN file or the download route) in a text: the video sent as a link. */
const VIDEO_LINK = /\/(files|proxy)\/render_[\w.-]+/;

/** The callback data of a message's Export button (`export`, or `export|<project tag>` on result cards). */
export function exportData(markup: unknown): string | undefined {
  const rows = (markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined)
    ?.inline_keyboard;
  for (const b of (rows ?? []).flat())
    if (b.callback_data === 'export' || b.callback_data?.startsWith('export|')) return b.callback_data;
  return undefined;
}
const hasExportButton = (markup: unknown): boolean => exportData(markup) !== undefined;

export class FaultChat {
  readonly user: TgUser;
  readonly chat: TgChat;
  /** What the user sent, in order (a button press counts). */
  readonly sent: Array<{ what: string; at: number; updateId: number }> = [];
  /** The prompt of this chat: unique, so NemoVideo's records tell chats apart. */
  readonly prompt: string;

  constructor(
    private readonly world: World,
    n: number,
    lang: string,
  ) {
    this.user = world.tg.user(7000 + n, { name: `User${n}`, lang });
    this.chat = world.tg.privateChat(this.user);
    this.prompt = `make a promo video for coffee shop number ${n}`;
  }

  get id(): number {
    return this.chat.id;
  }

  say(text: string): number {
    const { update_id } = this.world.tg.sendText(this.chat, this.user, text);
    this.sent.push({ what: text, at: Date.now(), updateId: update_id });
    return update_id;
  }

  /** Sends a photo with a caption (the bot uploads it to NemoVideo, then sends the caption to the agent). */
  photo(caption: string): number {
    const { update } = this.world.tg.sendPhoto(this.chat, this.user, { caption });
    this.sent.push({ what: caption, at: Date.now(), updateId: update.update_id });
    return update.update_id;
  }

  /** Taps the Export button of the bot's latest message that has one. */
  pressExport(): number {
    const withButton = this.world.tg.sent(this.id).filter((m) => hasExportButton(m.replyMarkup));
    const target = withButton.at(-1);
    if (!target) throw new Error(`chat ${this.id}: no message with an Export button to press`);
    const data = exportData(target.replyMarkup) ?? 'export';
    const { update_id } = this.world.tg.pressButton(this.chat, this.user, target.messageId, data);
    this.sent.push({ what: '[Export]', at: Date.now(), updateId: update_id });
    return update_id;
  }

  /** Sends the prompt, waits for the agent's result with its Export button and for the turn to end. */
  async generate(timeoutMs = 20_000): Promise<void> {
    this.say(this.prompt);
    await until(
      () => this.world.tg.sent(this.id).some((m) => hasExportButton(m.replyMarkup)),
      timeoutMs,
      `chat ${this.id}: the generated draft with an Export button`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\ntexts: ${JSON.stringify(this.texts())}\n${this.world.logs()}`);
    });
    // The turn's last words ("ready to export") must not pass for an answer to the Export tap.
    await this.world.settle([], 300, 300);
  }

  /** What reached this chat: messages and videos Telegram accepted. */
  outputs(): RecordedCall[] {
    return this.world.tg.calls.filter(
      (c) => OUTPUT_METHODS.has(c.method) && c.status === 200 && c.params.chat_id === this.id,
    );
  }

  /** Every text the bot showed here (sent or edited), in order. */
  texts(): string[] {
    return this.world.tg.calls
      .filter((c) => c.status === 200 && c.params.chat_id === this.id)
      .map((c) => c.params.text ?? c.params.caption)
      .filter((t): t is string => typeof t === 'string');
  }

  /** Videos in the chat: uploaded files plus links to a render. */
  videos(): number {
    return this.outputs().filter(
      (c) =>
        c.method === 'sendVideo' || c.method === 'sendDocument' || VIDEO_LINK.test(String(c.params.text)),
    ).length;
  }

  /** Outputs that answer something: not a status line like "Connecting…" or "⏳ Still working...". */
  answers(): RecordedCall[] {
    return this.outputs().filter((c) => typeof c.params.text !== 'string' || !isPlaceholder(c.params.text));
  }

  /** Waits until the bot has answered the user's latest message. */
  async answered(timeoutMs = 10_000): Promise<void> {
    const last = this.sent.at(-1);
    if (!last) return;
    await until(() => this.answers().some((c) => c.at >= last.at), timeoutMs, `chat ${this.id}: an answer`);
  }

  /** User messages that got no answer (a status line like "Connecting…" is none) before the next one. */
  lost(): number {
    const outs = this.answers();
    return this.sent.filter((s, i) => {
      const end = this.sent[i + 1]?.at ?? Number.POSITIVE_INFINITY;
      return !outs.some((c) => c.at >= s.at && c.at < end);
    }).length;
  }

  /** NemoVideo sessions this chat's texts went to. */
  sessions(): Set<string> {
    const mine = new Set(this.sent.map((s) => s.what));
    return new Set(this.world.nemo.chats.filter((c) => mine.has(c.text)).map((c) => c.sessionId));
  }

  /** Renders NemoVideo accepted for this chat: each one is a charge. */
  renders(): number {
    const sessions = this.sessions();
    return this.world.nemo.renders().filter((r) => sessions.has(r.sessionId)).length;
  }

  /** Agent messages NemoVideo received twice in this chat's sessions (a re-sent message). */
  duplicates(): number {
    const sessions = this.sessions();
    return this.world.nemo.duplicateChats.filter((d) => sessions.has(d.sessionId)).length;
  }

  /** True while this chat is inside its video upload: from the upload chat action until the bot moved on. */
  inUpload(): boolean {
    const calls = this.world.tg.calls.filter((c) => c.params.chat_id === this.id && c.status !== 0);
    const action = calls.findIndex(
      (c) => c.method === 'sendChatAction' && c.params.action === 'upload_video',
    );
    if (action < 0) return false;
    const video = calls.findIndex((c, i) => i > action && c.method === 'sendVideo' && c.status === 200);
    if (video < 0) return true;
    return !calls.some((c, i) => i > video && c.method !== 'sendChatAction');
  }
}
