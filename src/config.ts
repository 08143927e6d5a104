import { z } from 'zod';
import { type Limit, parsePrincipals, parseQuota, QUOTA_EXAMPLE } from './core/team/spec.ts';

// The one configuration schema (design.md's table). Parsed once in main and passed down;
// nothing below main reads process.env.

// An empty or blank value means "not set" (a `KEY=` line in .env), never 0.
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(def));
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A list of ids (comma or space separated), canonical; `usersOnly` refuses chats, roles and servers. */
const ids = (expected: string, usersOnly = false) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const { ok, bad } = parsePrincipals(v);
      const wrong = usersOnly ? ok.filter((p) => p.kind !== 'user').length : 0;
      if (bad.length > 0 || wrong > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${bad.length + wrong} unreadable id(s); expected ${expected}`,
        });
        return z.NEVER;
      }
      return [...new Set(ok.map((p) => p.id))];
    });

/** A quota string (`20 jobs/day, 500 credits/month`); empty: no limit. */
const quota = z
  .string()
  .optional()
  .transform((v, ctx): Limit[] => {
    const limits = parseQuota(v ?? '');
    if (limits) return limits;
    ctx.addIssue({ code: 'custom', message: `not a quota; expected e.g. "${QUOTA_EXAMPLE}" or off` });
    return z.NEVER;
  });

export const configSchema = z.object({
  NEMO_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('https://mega-api-prod.nemovideo.ai'),
  NEMO_TOKEN: optional,
  STORE_URL: z
    .string()
    .regex(
      /^(sqlite:\/\/|redis:\/\/|rediss:\/\/|memory:\/\/)/,
      'must start with sqlite://, redis:// or memory://',
    )
    .default('sqlite://./data/bot.sqlite'),
  EXPORT_DIR: z.string().min(1).default('./exports'),
  /** 0 turns the "⏳ Still working..." messages off. */
  HEARTBEAT_INTERVAL_MS: int(120_000),
  RENDER_POLL_INTERVAL_MS: int(30_000),
  RENDER_POLL_MAX: int(10, 1),
  RATE_LIMIT_RETRY_MS: int(30_000),
  SSE_TIMEOUT_MS: int(900_000),
  SSE_STUCK_MS: int(600_000),
  RECOVERY_FIRST_MS: int(30_000),
  RECOVERY_EVERY_MS: int(60_000),
  RECOVERY_CHECKS: int(5),
  /** Per-request budget of the plain (non-SSE) calls. */
  HTTP_TIMEOUT_MS: int(30_000),
  /** Budget of a file upload to NemoVideo or a download of a render. */
  TRANSFER_TIMEOUT_MS: int(600_000),
  MAX_UPLOAD_MB: int(200),
  /** How many prompts may wait behind a running agent turn in one chat. */
  QUEUE_MAX: int(3),
  TELEGRAM_BOT_TOKEN: optional,
  TELEGRAM_API_ROOT: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('https://api.telegram.org'),
  TELEGRAM_LOCAL_API: bool(false),
  TELEGRAM_WEBHOOK_URL: optional,
  TELEGRAM_WEBHOOK_SECRET: optional,
  /** How long an album's parts are collected before they are handled as one message. */
  TELEGRAM_ALBUM_WAIT_MS: int(1_000),
  DISCORD_TOKEN: optional,
  DISCORD_API_URL: optional,
  DISCORD_GUILD_ID: optional,
  // Team controls (README "Teams"): who may use the bot, how much, and chats that bring their own token.
  /** Operator admins: user ids (`tg:123`, `dc:456`) who manage everything at run time. */
  ADMIN_USERS: ids('user ids such as tg:123 or dc:456', true),
  /** Who may use the bot (empty: everyone); the starting list, changed at run time with /admin. */
  ALLOW_LIST: ids('ids such as tg:123, dc:456, tg-chat:-100123, dc-chat:…, dc-role:…, dc-guild:…'),
  QUOTA_USER: quota,
  QUOTA_CHAT: quota,
  QUOTA_GLOBAL: quota,
  /** AES-256-GCM key (32 bytes, base64) for chats' own NemoVideo tokens at rest; without it /token is off. */
  BOT_SECRET_KEY: optional.refine(
    (v) => v === undefined || Buffer.from(v, 'base64').length === 32,
    'must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)',
  ),
  /** Bearer token of GET /usage (JSON lines of the usage records); without it the endpoint is off. */
  USAGE_TOKEN: optional.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  LEAVE_UNALLOWED_GROUPS: bool(true),
  /** After refusing someone, how long the bot stays silent to them (no reply loops, no flood). */
  REFUSAL_COOLDOWN_MS: int(600_000, 1),
  PORT: int(8080, 0, 65_535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; on a bad value throws one readable line naming the variable (never its value). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}
