// `tsx bench/instances.ts`: several real bot processes on Redis (TEST_REDIS_URL, default 127.0.0.1:6379;
// keys in a namespace of their own, deleted afterwards), in Telegram webhook mode behind the test balancer
// (test/multi/harness.ts), against the fake Bot API and fake NemoVideo. Prints `BENCH <json>` rows (lib.ts):
// - failover: the instance running a render is SIGKILLed; time until a survivor posts the video;
// - throughput: chats each sending prompts one after another, through 1 instance and through 3.
// Figures are measured, never asserted.
import os from 'node:os';
import { type Cluster, FAST_ENV, redisUnavailable, startCluster } from '../test/multi/harness.ts';
import { emit, fmt, type Row } from './lib.ts';

const PROMO = 'Your 30-second promo';

function spread(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const videosIn = (c: Cluster, id: number) =>
  c.tg.calls.filter((x) => x.method === 'sendVideo' && Number(x.params.chat_id) === id && x.status === 200)
    .length;

/** One failover: ms from SIGKILL of the render's owner to the video posted by a survivor. */
async function failoverOnce(): Promise<number> {
  const c = await startCluster({ nemo: { renderPolls: 1_000_000 } });
  try {
    const [a, b, third] = await Promise.all([c.start('a'), c.start('b'), c.start('c')]);
    if (!a || !b || !third) throw new Error('no instance');
    c.route = () => (a.running() ? a : b);
    const id = 42;
    const user = c.tg.user(id, { lang: 'en' });
    const chat = c.tg.privateChat(user);
    c.tg.sendText(chat, user, 'make a video of a lighthouse');
    await waitFor(() => c.texts(id).some((t) => t.startsWith(PROMO)), 30_000);
    c.tg.sendText(chat, user, '/export');
    await waitFor(() => c.nemo.count('render') === 1 && c.nemo.count('poll') >= 2, 30_000);
    c.nemo.options.renderPolls = 1;
    await a.kill();
    const killed = performance.now();
    await waitFor(() => videosIn(c, id) === 1, 60_000);
    return performance.now() - killed;
  } finally {
    await c.close();
  }
}

/** Turns per second: `chats` users, each sending `turns` prompts in a row (waiting for each reply). */
async function throughput(instances: number, chats: number, turns: number): Promise<number> {
  const c = await startCluster({ nemo: { generateMs: 100, replyMs: 5, heartbeatMs: 50 } });
  try {
    const bots = await Promise.all(Array.from({ length: instances }, (_, i) => c.start(`i${i}`)));
    // Warm every instance first: its first turns load and compile code paths (measured: about six turns).
    const warm = new Map<number, (typeof bots)[number]>();
    c.route = (u) => warm.get(Number((u.message as { chat?: { id?: unknown } } | undefined)?.chat?.id));
    await Promise.all(
      bots.flatMap((bot, i) =>
        [0, 1, 2].map(async (k) => {
          const id = 4000 + 10 * i + k;
          const user = c.tg.user(id, { lang: 'en' });
          warm.set(id, bot);
          for (let t = 0; t < 3; t++) {
            c.tg.sendText(c.tg.privateChat(user), user, `make a video of warm-up ${id}-${t}`);
            await waitFor(() => c.texts(id).filter((x) => x.startsWith(PROMO)).length === t + 1, 60_000);
          }
        }),
      ),
    );
    c.route = undefined;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: chats }, async (_, n) => {
        const id = 5000 + n;
        const user = c.tg.user(id, { lang: 'en' });
        const chat = c.tg.privateChat(user);
        for (let t = 0; t < turns; t++) {
          c.tg.sendText(chat, user, `make a video of scene ${n}-${t}`);
          await waitFor(() => c.texts(id).filter((x) => x.startsWith(PROMO)).length === t + 1, 120_000);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    if (c.nemo.duplicateChats.length > 0) throw new Error('a prompt reached the agent twice');
    return (chats * turns) / seconds;
  } finally {
    await c.close();
  }
}

const down = await redisUnavailable();
if (down) {
  emit([{ figure: 'Instances', bot: 'skipped', note: `Redis unreachable: ${down}` }]);
  process.exit(0);
}

const rows: Row[] = [];
const samples: number[] = [];
for (let i = 0; i < 3; i++) samples.push(await failoverOnce());
const f = spread(samples);
rows.push({
  figure:
    'Instances: failover (3 instances, SIGKILL of the render owner), ms until a survivor posts the video',
  bot: `median ${fmt(f.median, 0)} (${fmt(f.min, 0)}–${fmt(f.max, 0)})`,
  note: `INSTANCE_LEASE_MS=${FAST_ENV.INSTANCE_LEASE_MS}, INSTANCE_SWEEP_MS=${FAST_ENV.INSTANCE_SWEEP_MS}, RENDER_POLL_INTERVAL_MS=${FAST_ENV.RENDER_POLL_INTERVAL_MS}: bounded by lease + sweep + one poll and the post`,
});
const [chats, turns] = [24, 4];
const one = await throughput(1, chats, turns);
const three = await throughput(3, chats, turns);
rows.push({
  figure: `Instances: throughput (${chats} chats × ${turns} turns, 100 ms agent), turns/s with 3 instances`,
  bot: fmt(three),
  baseline: `${fmt(one)} (1 instance)`,
  note: `every process on this one machine (${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}): 3 instances share its cores`,
});
emit(rows);
process.exit(0);
