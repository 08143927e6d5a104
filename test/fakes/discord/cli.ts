import { createInterface } from 'node:readline';
import { startFakeDiscord } from './server.ts';

// Runs the fake Discord by hand: prints the variables to start the bot against it, then turns typed lines
// into what a user does (`/credits`, `/video a cat`, `/lang zh`, `@ make a cat video`, `!press export`)
// and prints what the bot posts.  npx tsx test/fakes/discord/cli.ts

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run fake:discord [-- --port N] [--interactions URL]\n' +
      '  --interactions URL  send interactions as signed POSTs to the bot (its /discord/interactions)\n',
  );
  process.exit(0);
}
const portAt = args.indexOf('--port');
const fake = await startFakeDiscord({}, portAt >= 0 ? Number(args[portAt + 1]) : 0);
const interactionsUrl = args[args.indexOf('--interactions') + 1];
if (args.includes('--interactions') && interactionsUrl) fake.options.interactionsUrl = interactionsUrl;
// The person at this terminal owns the server: /reset and /lang need Manage Server.
const OWNER = { permissions: 1n << 5n };
process.stdout.write(
  `fake Discord on ${fake.url}\nstart the bot with:\n  DISCORD_TOKEN=${fake.token} DISCORD_API_URL=${fake.url} DISCORD_PUBLIC_KEY=${fake.publicKey} npm start\n` +
    'then type /credits, /video <prompt>, /export, /status, /lang zh, "@ <text>" (a mention), "!press export"\n',
);

const printed = new Map<string, number>();
setInterval(() => {
  for (const m of fake.messages) {
    const seen = printed.get(m.id) ?? 0;
    if (m.history.length <= seen) continue;
    printed.set(m.id, m.history.length);
    const files = m.files.map((f) => ` [file ${f.name}, ${f.bytes.length} bytes]`).join('');
    const buttons = m.components.length
      ? ` [buttons ${JSON.stringify(m.components).match(/nemo:\w+/g)}]`
      : '';
    const tag = `${m.flags & 64 ? 'ephemeral ' : ''}${seen ? 'edit' : 'new'}`;
    process.stdout.write(`bot (${tag}): ${m.content}${files}${buttons}\n`);
  }
}, 100).unref();

const rl = createInterface({ input: process.stdin });
rl.on('line', (raw) => {
  const line = raw.trim();
  try {
    if (line.startsWith('!press ')) {
      const last = [...fake.messages].reverse().find((m) => m.components.length > 0);
      if (last) fake.press(`nemo:${line.slice(7).trim()}`, last);
      else process.stdout.write('no message with buttons yet\n');
    } else if (line.startsWith('@')) {
      fake.message(line.slice(1).trim(), { mentionsBot: true });
    } else if (line.startsWith('/')) {
      const [name = '', ...rest] = line.slice(1).split(' ');
      const arg = rest.join(' ');
      const options: Record<string, string> =
        name === 'video' ? { prompt: arg } : name === 'lang' && arg ? { language: arg } : {};
      fake.slash(name, options, OWNER);
    } else if (line) {
      fake.message(line, { dm: true });
    }
  } catch (e) {
    process.stdout.write(`${(e as Error).message}\n`);
  }
});
rl.on('close', () => void fake.close().then(() => process.exit(0)));
