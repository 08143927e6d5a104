// The two reply languages and the platforms the bot speaks on. They live here, not in src/core, because the
// words of src/i18n are typed by them and src/i18n never imports the core (the core re-exports them).

export type Lang = 'en' | 'zh';

/** Where a chat lives; notices name the platform whose limit they explain. */
export type Platform = 'telegram' | 'discord' | 'terminal';
