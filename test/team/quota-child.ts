import { createInterface } from 'node:readline';
import { nemoTimingFromConfig } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createEngine } from '../../src/core/engine.ts';
import { createNemoClient } from '../../src/nemo/index.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { createStore } from '../../src/store/index.ts';
import { recordingChat } from '../core/engine-harness.ts';

// One bot instance in its own process, racing another for the last unit of a quota (redis.test.ts). Usage:
//   node --import tsx test/team/quota-child.ts <NEMO_API_URL> <STORE_URL> <namespace> <tag> <messages>
// Builds the real engine on the shared Redis, prints "ready", waits for "go", then sends <messages> prompts
// at once from user tg:42, each in a group of its own; prints how many were refused as over quota.

const [nemoUrl, storeUrl, namespace, tag, count] = process.argv.slice(2);
if (!nemoUrl || !storeUrl || !namespace || !tag || !count) throw new Error('usage: quota-child …');
const config = parseConfig({
  NEMO_API_URL: nemoUrl,
  STORE_URL: storeUrl,
  QUOTA_USER: '1 jobs/day',
  HEARTBEAT_INTERVAL_MS: '0',
  LOG_LEVEL: 'silent',
});
const secrets = new Secrets();
const logger = createLogger({ level: 'silent', secrets });
const store = await createStore(storeUrl, { logger, namespace });
const nemo = createNemoClient({
  baseUrl: nemoUrl,
  version: '0',
  secrets,
  logger,
  timing: nemoTimingFromConfig(config),
});
const engine = createEngine({ config, nemo, store: store.keyv, state: store.state, logger, secrets });

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const chats = Array.from({ length: Number(count) }, (_, i) => recordingChat(`tg:-${tag}${1000 + i}`));
await Promise.all(
  chats.map((chat, i) =>
    engine.handle(
      {
        address: chat.address,
        platform: 'telegram',
        sender: { id: '42', displayName: 'Racer', isAdmin: async () => false },
        text: `make video ${tag}-${i}`,
        attachments: [],
      },
      chat,
    ),
  ),
);
await engine.idle();
const refused = chats.filter((c) => c.texts().some((t) => t.startsWith('⛔'))).length;
process.stdout.write(`${refused}\n`);
await engine.close();
await store.close();
