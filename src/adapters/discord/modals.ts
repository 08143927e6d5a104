import type { ModalSubmitInteraction } from 'discord.js';
import { NOTES_MAX } from '../../core/settings.ts';
import type { Lang } from '../../i18n/lang.ts';
import { loopMessages } from '../../i18n/loop.ts';
import { BUTTON_PREFIX } from './encode.ts';

// Discord modals (interaction response type 9): a long brief from `/video` without a prompt, an "Edit…" of a
// result, the brand notes of /settings. Each holds one paragraph input inside a Label (component type 18, the
// current layout; discord.js reads it back). The words come from src/i18n in the language the core chose.

/** Discord's limit for a paragraph text input. */
export const BRIEF_MAX = 4_000;
/** The custom id of the long-brief modal; edits and notes reuse their button's own id (it carries the tag). */
export const VIDEO_MODAL = `${BUTTON_PREFIX}m:video`;
const FIELD = 'text';

export type ModalKind = 'video' | 'edit' | 'notes';

/** The `data` of a type-9 interaction response. */
export function modal(kind: ModalKind, customId: string, lang: Lang) {
  const lm = loopMessages(lang);
  const words = {
    video: { title: lm.briefTitle, label: lm.briefLabel, max: BRIEF_MAX },
    edit: { title: lm.editTitle, label: lm.editLabel, max: BRIEF_MAX },
    notes: { title: lm.notesTitle, label: lm.notesLabel, max: NOTES_MAX },
  }[kind];
  return {
    custom_id: customId,
    title: words.title.slice(0, 45),
    components: [
      {
        type: 18,
        label: words.label.slice(0, 45),
        component: {
          type: 4,
          custom_id: FIELD,
          style: 2,
          min_length: 1,
          max_length: words.max,
          required: true,
        },
      },
    ],
  };
}

/** What the user typed into one of our modals. */
export function modalText(i: ModalSubmitInteraction): string {
  try {
    return i.fields.getTextInputValue(FIELD);
  } catch {
    return '';
  }
}
