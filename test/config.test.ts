import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

// The one schema over the environment: defaults of the README's configuration table, and one readable line on a bad value
// that names the variable but never echoes its value (it could be a token pasted in the wrong place).

describe('config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c.NEMO_API_URL).toBe('https://mega-api-prod.nemovideo.ai');
    expect(c.STORE_URL).toBe('sqlite://./data/bot.sqlite');
    expect([c.HEARTBEAT_INTERVAL_MS, c.RENDER_POLL_INTERVAL_MS, c.RENDER_POLL_MAX]).toEqual([
      120_000, 30_000, 10,
    ]);
    expect([c.SSE_TIMEOUT_MS, c.SSE_STUCK_MS, c.RATE_LIMIT_RETRY_MS]).toEqual([900_000, 600_000, 30_000]);
    expect([c.RECOVERY_FIRST_MS, c.RECOVERY_EVERY_MS, c.RECOVERY_CHECKS]).toEqual([30_000, 60_000, 5]);
    expect([c.MAX_UPLOAD_MB, c.PORT, c.TELEGRAM_LOCAL_API, c.LOG_LEVEL]).toEqual([200, 8080, false, 'info']);
    expect(c.NEMO_TOKEN).toBeUndefined();
    expect([c.INSTANCE_LEASE_MS, c.INSTANCE_SWEEP_MS, c.LANE_POLL_MS, c.STORE_NAMESPACE]).toEqual([
      30_000,
      10_000,
      1_000,
      'nemo',
    ]);
    expect([c.DISCORD_INTERACTIONS_PATH, c.DISCORD_GATEWAY, c.DISCORD_GATEWAY_LEASE_MS]).toEqual([
      '/discord/interactions',
      true,
      30_000,
    ]);
  });

  it('treats a blank value as unset, not as 0', () => {
    const c = parseConfig({ HEARTBEAT_INTERVAL_MS: ' ', NEMO_TOKEN: '', PORT: '' });
    expect(c.HEARTBEAT_INTERVAL_MS).toBe(120_000);
    expect(c.NEMO_TOKEN).toBeUndefined();
    expect(c.PORT).toBe(8080);
  });

  it.each([
    [{ HEARTBEAT_INTERVAL_MS: 'abc' }, 'HEARTBEAT_INTERVAL_MS'],
    [{ PORT: '99999' }, 'PORT'],
    [{ RENDER_POLL_MAX: '0' }, 'RENDER_POLL_MAX'],
    [{ NEMO_API_URL: 'ftp://secret-host/x' }, 'NEMO_API_URL'],
    [{ STORE_URL: 'postgres://u:pw@h/db' }, 'STORE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TELEGRAM_LOCAL_API: 'maybe' }, 'TELEGRAM_LOCAL_API'],
    [{ INSTANCE_LEASE_MS: '50' }, 'INSTANCE_LEASE_MS'],
    [{ STORE_NAMESPACE: 'a b:c' }, 'STORE_NAMESPACE'],
    [{ DISCORD_PUBLIC_KEY: 'not-a-hex-public-key' }, 'DISCORD_PUBLIC_KEY'],
    [{ DISCORD_INTERACTIONS_PATH: 'discord?x=1' }, 'DISCORD_INTERACTIONS_PATH'],
    [{ DISCORD_GATEWAY_LEASE_MS: '50' }, 'DISCORD_GATEWAY_LEASE_MS'],
    [{ DISCORD_TOKEN: 'MTAw.discord.token-x', DISCORD_GATEWAY: 'false' }, 'DISCORD_PUBLIC_KEY'],
  ])('%j is refused with one line naming the variable', (env, name) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
    for (const value of Object.values(env)) expect(message).not.toContain(value);
  });
});
