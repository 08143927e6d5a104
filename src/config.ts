import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Limit, parsePrincipals, parseQuota, QUOTA_EXAMPLE } from './core/team/spec.ts';

// The one configuration schema (the README's configuration table). Parsed once in main and passed down;
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
/**
 * Kernel filesystems: a SQLite file or an export there never works, and some of them block forever (a
 * `sqlite:///proc/…` store spun at 100% CPU, deaf to SIGTERM). /dev/shm is ordinary memory and allowed.
 */
export function onKernelFs(p: string): boolean {
  const abs = path.resolve(p);
  if (abs === '/dev/shm' || abs.startsWith('/dev/shm/')) return false;
  return ['/proc', '/sys', '/dev'].some((d) => abs === d || abs.startsWith(`${d}/`));
}

/** The file of a `sqlite://<path>` STORE_URL, or undefined for other stores. */
export function sqliteFile(storeUrl: string): string | undefined {
  return storeUrl.startsWith('sqlite://') ? storeUrl.slice('sqlite://'.length) : undefined;
}

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
    .refine((url) => {
      const file = sqliteFile(url);
      return file === undefined || !onKernelFs(file);
    }, 'a SQLite file cannot live under /proc, /sys or /dev: use a path on a real disk, e.g. sqlite://./data/bot.sqlite')
    .default('sqlite://./data/bot.sqlite'),
  /** Keeps bots sharing one Redis (or one SQLite file) apart: every key is prefixed with it. */
  STORE_NAMESPACE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
      .default('nemo'),
  ),
  EXPORT_DIR: z
    .string()
    .min(1)
    .refine((dir) => !onKernelFs(dir), 'cannot be under /proc, /sys or /dev: use a directory on a real disk')
    .default('./exports'),
  /** 0 turns the "⏳ Still working..." messages off. */
  HEARTBEAT_INTERVAL_MS: int(120_000),
  RENDER_POLL_INTERVAL_MS: int(30_000),
  RENDER_POLL_MAX: int(10, 1),
  /** How long a render whose poll budget ran out is kept (and looked at again) before it is given up. */
  RENDER_KEEP_MS: int(86_400_000, 1),
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
  /** 0 would refuse every file while the help still invites uploads: at least 1. */
  MAX_UPLOAD_MB: int(200, 1),
  /** Longer prompts are refused with this limit rather than sent (a pasted 1 MB log is not a video brief). */
  MAX_PROMPT_CHARS: int(8_000, 1),
  /** How many prompts may wait behind a running agent turn in one chat. */
  QUEUE_MAX: int(3),
  /** Result actions that ask NemoVideo for new work (Another take, 9:16, Shorter…) ask "go ahead?" first. */
  CONFIRM_PAID_ACTIONS: bool(false),
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
  /** First wait before polling again after a 409 Conflict (another poller); doubles up to 32×. */
  TELEGRAM_CONFLICT_RETRY_MS: int(5_000, 1),
  /** First wait before re-sending a call Telegram's front refused unprocessed (502/503 page); doubles. */
  TELEGRAM_RETRY_MS: int(1_000, 1),
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
  // Discord on several instances: the gateway is held by one elected instance, HTTP interactions reach any.
  /** The application's public key (hex, Developer Portal → General Information): serves HTTP interactions. */
  DISCORD_PUBLIC_KEY: optional.refine(
    (v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v),
    'must be the 64 hex characters of the Developer Portal',
  ),
  /** Where Discord POSTs interactions on PORT (the Interactions Endpoint URL ends with it). */
  DISCORD_INTERACTIONS_PATH: z
    .string()
    .regex(/^\/[\w\-./]*$/, 'must be a path such as /discord/interactions')
    .default('/discord/interactions'),
  /** false: no gateway at all (HTTP interactions only: no @mentions, no DMs). */
  DISCORD_GATEWAY: bool(true),
  /** On Redis: the gateway holder's lease; renewed every third of it, a standby takes over after it runs out. */
  DISCORD_GATEWAY_LEASE_MS: int(30_000, 300),
  PORT: int(8080, 0, 65_535),
  /** How long the store may take to answer /readyz's probe before the instance counts as not ready. */
  READY_TIMEOUT_MS: int(2_000, 1),
  /** Serve /metrics on this port instead of PORT: for a private network (Fly's [metrics] scraper), not the LB. */
  METRICS_PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65_535).optional()),
  /** Bearer token for /metrics; required to serve it on the public PORT. Long, so it is redactable and unguessable. */
  METRICS_TOKEN: optional.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; on a bad value throws one readable line naming the variable (never its value). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    const c = result.data;
    if (c.METRICS_PORT && c.METRICS_PORT === c.PORT)
      throw new ConfigError(
        'Invalid configuration: METRICS_PORT: must differ from PORT (unset it to serve /metrics on PORT behind METRICS_TOKEN)',
      );
    if (c.DISCORD_TOKEN && !c.DISCORD_GATEWAY && !c.DISCORD_PUBLIC_KEY)
      throw new ConfigError(
        'Invalid configuration: DISCORD_PUBLIC_KEY: needed when DISCORD_GATEWAY is off (HTTP interactions only), else nothing reaches the bot',
      );
    return c;
  }
  const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}

/** The nearest existing path at or above `p`, with its stat. */
async function nearestExisting(p: string): Promise<{ at: string; isDir: boolean }> {
  for (let at = p; ; at = path.dirname(at)) {
    const info = await stat(at).catch((e: NodeJS.ErrnoException) => {
      // A file in the middle of the path (`a-file/exports`): that file is what is in the way.
      if ((e.code === 'ENOENT' || e.code === 'ENOTDIR') && at !== path.dirname(at)) return undefined;
      throw e;
    });
    if (info) return { at, isDir: info.isDirectory() };
  }
}

/**
 * What the schema cannot see: EXPORT_DIR must be a writable directory (or creatable in one), and neither it
 * nor a SQLite file may reach a kernel filesystem through a symlink. Checked once at start, so a bad value
 * stops the bot with one line instead of failing after a full render. Creates nothing.
 */
export async function checkPaths(config: Config): Promise<void> {
  const fail = (name: string, why: string) => new ConfigError(`Invalid configuration: ${name}: ${why}`);
  const dir = path.resolve(config.EXPORT_DIR);
  let found: { at: string; isDir: boolean };
  try {
    found = await nearestExisting(dir);
  } catch (e) {
    throw fail('EXPORT_DIR', `cannot be used (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!found.isDir)
    throw fail(
      'EXPORT_DIR',
      found.at === dir ? 'is a file, not a directory' : 'a file is in the way of that path',
    );
  if (onKernelFs(await realpath(found.at)))
    throw fail('EXPORT_DIR', 'leads under /proc, /sys or /dev: use a directory on a real disk');
  try {
    // access(2) answers for this user: EACCES for a read-only directory, EROFS for a read-only filesystem.
    await access(found.at, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fail('EXPORT_DIR', `is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const file = sqliteFile(config.STORE_URL);
  if (file) {
    const near = await nearestExisting(path.resolve(file)).catch(() => undefined);
    if (near && onKernelFs(await realpath(near.at)))
      throw fail(
        'STORE_URL',
        'a SQLite file cannot live under /proc, /sys or /dev (it leads there through a link)',
      );
  }
}
