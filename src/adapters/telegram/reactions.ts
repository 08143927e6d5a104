import { type Api, GrammyError } from 'grammy';
import type { ReactionTypeEmoji } from 'grammy/types';
import type { Receipt } from '../../core/ports.ts';
import type { Logger } from '../../secrets.ts';

// A receipt on the user's own message (setMessageReaction): 👀 while the work runs, 👍 when it is done, 💔
// when it failed. Bots may set only the emoji of ReactionTypeEmoji — ✅ is not among them (Telegram answers
// 400 REACTION_INVALID), hence 👍. Chats that disable reactions answer 400 too: that is quietly accepted, and
// such a chat is not asked again while this process runs.

export const RECEIPT_EMOJI: Record<Receipt, ReactionTypeEmoji['emoji']> = {
  working: '👀',
  done: '👍',
  failed: '💔',
};

const REMEMBERED = 1_000;

export class Reactions {
  /** Chats that refused a reaction (reactions off, or only some allowed). */
  readonly #refused = new Set<number>();

  constructor(
    private readonly api: Api,
    private readonly logger: Logger,
  ) {}

  async react(chatId: number, messageId: number, receipt: Receipt): Promise<void> {
    if (this.#refused.has(chatId)) return;
    try {
      await this.api.setMessageReaction(chatId, messageId, [
        { type: 'emoji', emoji: RECEIPT_EMOJI[receipt] },
      ]);
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 400) {
        if (/REACTION_INVALID|REACTIONS_TOO_MANY|reactions? (are )?disabled/i.test(err.description)) {
          this.#refused.add(chatId);
          if (this.#refused.size > REMEMBERED) this.#refused.delete(this.#refused.values().next().value!);
        }
        this.logger.debug({ chatId, err: err.description }, 'reaction not allowed here');
        return;
      }
      // Cosmetic: never fail a turn over it.
      this.logger.debug({ chatId, err: (err as Error).message }, 'setMessageReaction failed');
    }
  }
}
