// Placeholder until the core lands: parses the configuration and says what it would start.
import { ConfigError, parseConfig } from './config.ts';

try {
  const config = parseConfig(process.env);
  const modes = [config.TELEGRAM_BOT_TOKEN && 'telegram', config.DISCORD_TOKEN && 'discord'].filter(Boolean);
  process.stderr.write(`nemo-video-bot would start: ${modes.length ? modes.join(', ') : 'terminal chat'}\n`);
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(1);
}
