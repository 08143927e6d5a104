// `npm start`: the bot, configured by the environment (see README and .env.example). Wiring lives in app.ts.
import { runBot } from './app.ts';

// Whatever escapes every handler (an unhandled rejection included, Node's default) leaves the process in an
// unknown state: one line (client errors never carry tokens) and exit 1, so a supervisor restarts it.
process.on('uncaughtException', (e) => {
  process.stderr.write(`nemo-video-bot: fatal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

const code = await runBot({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Sockets of platform libraries may linger after a clean stop; the work is persisted, so leave now.
process.exit(code);
