// `npm start`: the bot, configured by the environment (see README and .env.example). Wiring lives in app.ts.
import { runBot } from './app.ts';
import { Secrets } from './secrets.ts';

const secrets = new Secrets();

// Whatever escapes every handler (an unhandled rejection included, Node's default) leaves the process in an
// unknown state: one redacted line and exit 1, so a supervisor restarts it.
process.on('uncaughtException', (e) => {
  const message = secrets.redact(e instanceof Error ? e.message : String(e));
  process.stderr.write(`nemo-video-bot: fatal: ${message.split('\n')[0]}\n`);
  process.exit(1);
});

const code = await runBot({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  secrets,
});
// Sockets of platform libraries may linger after a clean stop; the work is persisted, so leave now.
process.exit(code);
