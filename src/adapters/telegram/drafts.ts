import { type Api, GrammyError } from 'grammy';
import type { Logger } from '../../secrets.ts';
import type { TgTarget } from './decode.ts';
import { clip } from './encode.ts';

// The agent's answer streamed while it is written, in a private chat (Bot API 9.3+ `sendMessageDraft`: an
// animated draft bubble that the next real message replaces, gone by itself after ~30 s). Where Telegram
// refuses drafts (older servers, or the bot lacks what the method needs) it falls back to one message edited
// as the text grows, which the complete message then takes over (or, when it says something else, removes).
// Previews are throttled to one per `gapMs`, the newest text wins; nothing here ever fails a turn.

export class LivePreview {
  #text = '';
  #timer: NodeJS.Timeout | undefined;
  #lastAt = 0;
  #draftId = 0;
  #mode: 'draft' | 'edit' = 'draft';
  /** Edit mode: the message showing the preview, and what it shows. */
  #message: { id: number; text: string } | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: Api,
    private readonly target: TgTarget,
    private readonly gapMs: number,
    private readonly logger: Logger,
  ) {}

  update(text: string | undefined): void {
    if (text === undefined) {
      // The preview is over: the complete text (if any) comes as a normal message.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#text = '';
      this.#draftId = 0;
      return;
    }
    this.#text = text;
    if (this.#timer) return;
    const wait = this.#lastAt + this.gapMs - Date.now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    this.#lastAt = Date.now();
    const shown = clip(this.#text);
    // One draft id per previewed message, fixed now: the preview may end before this one goes out.
    this.#draftId ||= 1 + Math.floor(Math.random() * 2_000_000_000);
    const draftId = this.#draftId;
    if (shown.trim()) this.#chain = this.#chain.then(() => this.#show(shown, draftId));
  }

  async #show(text: string, draftId: number): Promise<void> {
    const thread = this.target.topicId === undefined ? {} : { message_thread_id: this.target.topicId };
    if (this.#mode === 'draft') {
      try {
        await this.api.sendMessageDraft(this.target.chatId, draftId, text, thread);
        return;
      } catch (err) {
        if (!(err instanceof GrammyError && err.error_code === 400)) {
          this.logger.debug({ err: (err as Error).message }, 'sendMessageDraft failed');
          return;
        }
        this.logger.info({ err: err.description }, 'drafts refused here; previews by editing a message');
        this.#mode = 'edit';
      }
    }
    try {
      if (this.#message) {
        if (this.#message.text === text) return;
        await this.api.editMessageText(this.target.chatId, this.#message.id, text);
        this.#message.text = text;
      } else {
        const sent = await this.api.sendMessage(this.target.chatId, text, thread);
        this.#message = { id: sent.message_id, text };
      }
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'preview edit failed');
    }
  }

  /**
   * Before a message is sent (waiting for previews on their way, so none lands after it): in edit mode gives
   * the preview message when the outgoing one-part text continues it (edited into the complete text instead of
   * a second copy); any other preview message is removed. Undefined: send as usual.
   */
  async takeOver(text: string | undefined): Promise<number | undefined> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
    const m = this.#message;
    this.#message = undefined;
    if (!m) return undefined;
    if (text?.startsWith(m.text.replace(/…$/, ''))) return m.id;
    await this.api.deleteMessage(this.target.chatId, m.id).catch(() => {});
    return undefined;
  }
}
