import { z } from 'zod';

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
  /** Keeps bots sharing one Redis (or one SQLite file) apart: every key is prefixed with it. */
  STORE_NAMESPACE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
      .default('nemo'),
  ),
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
  /**
   * Several instances on Redis: an instance (and every chat lane or export job it holds) counts as gone this
   * long after its last heartbeat; heartbeats come every third of it.
   */
  INSTANCE_LEASE_MS: int(30_000, 300),
  /** How often an instance looks for work a gone instance left (exports to finish, turns to report). */
  INSTANCE_SWEEP_MS: int(10_000, 50),
  /** How often a waiting message re-checks its chat's queue when no wake-up message came. */
  LANE_POLL_MS: int(1_000, 10),
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
