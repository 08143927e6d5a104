import { type ErrorContext, messages } from '../../src/i18n/index.ts';

// Which bot texts are error reports, in either language: a transient fault on an idempotent call must be
// retried before the user sees one of these.

const CONTEXT: ErrorContext = { operator: true, formats: 'mp4', maxMb: 200, platform: 'telegram' };

const ERROR_TEXTS: ReadonlySet<string> = new Set(
  (['en', 'zh'] as const).flatMap((lang) => {
    const m = messages(lang);
    return [...Object.values(m.errors).map((f) => f(CONTEXT)), m.agentError, m.internal];
  }),
);

export function isErrorText(text: string): boolean {
  return ERROR_TEXTS.has(text.trim());
}

const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PLACEHOLDERS: RegExp[] = (['en', 'zh'] as const).flatMap((lang) => {
  const m = messages(lang);
  return [
    ...[m.connecting, m.exportStarting, m.exportResumed].map((t) => new RegExp(`^${literal(t)}$`)),
    new RegExp(`^${literal(m.stillWorking())}`),
    new RegExp(`^${literal(m.queued(0)).replace('0', '\\d+')}$`),
  ];
});

/** Status lines that promise an answer without being one ("Connecting…", "⏳ Still working...", "Queued"). */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDERS.some((re) => re.test(text.trim()));
}
