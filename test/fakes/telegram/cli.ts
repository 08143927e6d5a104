import { createInterface } from 'node:readline';
import { startFakeTelegram } from './server.ts';

// Talk to the bot by hand through the fake Bot API: `tsx test/fakes/telegram/cli.ts [port]`, then start the bot
// with the printed TELEGRAM_* variables. Each line you type is a message from a user in a private chat;
// `/photo [caption]` sends a photo, `/album caption` three photos, `/press <messageId> <export|status|credits>`.

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm run fake:telegram [-- [--port] N]   (default port 8081)\n');
  process.exit(0);
}
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 8081);
const tg = await startFakeTelegram({}, port);
const user = tg.user(1001, { name: 'You', lang: process.env.LANG?.startsWith('zh') ? 'zh-hans' : 'en' });
const chat = tg.privateChat(user);
process.stdout.write(
  `fake Telegram on ${tg.url}\n  TELEGRAM_BOT_TOKEN=${tg.token} TELEGRAM_API_ROOT=${tg.url}\n`,
);

let seen = 0;
setInterval(() => {
  for (const call of tg.calls.slice(seen)) {
    const p = call.params;
    const id = (call.result as { message_id?: number } | undefined)?.message_id;
    if (call.method === 'sendMessage') process.stdout.write(`bot [#${id}] ${String(p.text)}\n`);
    if (call.method === 'editMessageText')
      process.stdout.write(`bot (edit #${String(p.message_id)}) ${String(p.text)}\n`);
    if (call.method === 'sendVideo') {
      const bytes = call.files.video?.bytes.length ?? 0;
      process.stdout.write(`bot [video ${bytes} bytes] ${String(p.caption ?? '')}\n`);
    }
  }
  seen = tg.calls.length;
}, 100).unref();

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [head, ...rest] = line.trim().split(' ');
  const arg = rest.join(' ');
  if (head === '/photo') tg.sendPhoto(chat, user, arg ? { caption: arg } : {});
  else if (head === '/album') tg.sendAlbum(chat, user, 3, arg);
  else if (head === '/press') tg.pressButton(chat, user, Number(rest[0]), rest[1] ?? 'status');
  else if (line.trim()) tg.sendText(chat, user, line.trim());
});
rl.on('close', () => void tg.close());
