// A live preview of the agent's answer while it is being written (issue 14): the partial chunks of one
// message, added up and handed to the chat's `draft` (Telegram: sendMessageDraft in private chats). What the
// user keeps is still only the complete text (docs/decisions.md decision 3); the preview is cosmetic and never waits.

import type { ChatCtx } from './context.ts';
import { analyseAgentText } from './gui.ts';

/** Longer previews are cut: the complete message is split by the adapter anyway. */
const MAX_PREVIEW = 4_000;

export function livePreview(ctx: Pick<ChatCtx, 'chat'>): { add(chunk: string): void; end(): void } {
  let text = '';
  let shown = false;
  return {
    add(chunk) {
      if (!ctx.chat.draft) return;
      text += chunk;
      // The same clean-up as the complete text (GUI-speak out), so the preview does not show what the final
      // message will not.
      const clean = analyseAgentText(text).text.slice(0, MAX_PREVIEW);
      if (!clean.trim()) return;
      shown = true;
      ctx.chat.draft(clean);
    },
    end() {
      text = '';
      if (!shown) return;
      shown = false;
      ctx.chat.draft?.(undefined);
    },
  };
}
