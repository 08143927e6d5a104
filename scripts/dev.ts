// `npm run dev`: the terminal chat against the fake NemoVideo server, in one process, fully offline.
// The fake answers like the real agent, only faster (a 4-second "generation", renders in three polls).
import { runBot } from '../src/app.ts';
import { startFakeNemo } from '../test/fakes/nemo/server.ts';

const fake = await startFakeNemo({ heartbeatMs: 1000, generateMs: 4000, renderPolls: 3 });
process.stderr.write(
  `dev: fake NemoVideo at ${fake.url} (offline; sessions in memory unless STORE_URL is set)\n`,
);

const env: Record<string, string | undefined> = {
  ...process.env,
  // Offline means offline: never the real backend, never a platform, no operator token the fake would refuse.
  NEMO_API_URL: fake.url,
  NEMO_TOKEN: undefined,
  TELEGRAM_BOT_TOKEN: undefined,
  DISCORD_TOKEN: undefined,
  STORE_URL: process.env.STORE_URL || 'memory://',
  HEARTBEAT_INTERVAL_MS: process.env.HEARTBEAT_INTERVAL_MS || '3000',
  RENDER_POLL_INTERVAL_MS: process.env.RENDER_POLL_INTERVAL_MS || '1000',
  RECOVERY_FIRST_MS: process.env.RECOVERY_FIRST_MS || '2000',
  RECOVERY_EVERY_MS: process.env.RECOVERY_EVERY_MS || '2000',
  RATE_LIMIT_RETRY_MS: process.env.RATE_LIMIT_RETRY_MS || '2000',
  // The chat and the JSON logs share one screen here: only warnings unless asked (LOG_LEVEL=info npm run dev).
  LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
};

const code = await runBot({ env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
await fake.close();
process.exit(code);
