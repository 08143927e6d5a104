import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/i18n/index.ts';
import { type BotProcess, type Cluster, redisUnavailable, startCluster, waitUntil } from './harness.ts';

// Job ownership across real processes: the instance running a render is killed (SIGKILL) and a survivor
// posts the video exactly once, from the one render created; an instance that restarts tells only the chats
// whose turn it (or another gone instance) cut, never a chat another live instance is serving.

const en = messages('en');
const down = await redisUnavailable();
if (down && process.env.CI === 'true') throw new Error(`Redis is required in CI: ${down}`);

const PROMO = 'Your 30-second promo';

describe.skipIf(down !== undefined)('several instances: failover', () => {
  let cluster: Cluster | undefined;
  const routes = new Map<number, BotProcess>();
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    routes.clear();
  });

  function sendTo(c: Cluster, bot: BotProcess, id: number, text: string) {
    const user = c.tg.user(id, { lang: 'en' });
    const update = c.tg.sendText(c.tg.privateChat(user), user, text);
    routes.set(update.update_id, bot);
  }
  const videos = (c: Cluster, id: number) =>
    c.tg.calls.filter((x) => x.method === 'sendVideo' && Number(x.params.chat_id) === id && x.status === 200);

  it('the owner of a running render is killed: a survivor posts it once, from the one render', async () => {
    const c = await startCluster({ nemo: { renderPolls: 1_000_000 } });
    cluster = c;
    c.route = (u) => routes.get(u.update_id as number);
    const [a] = await Promise.all([c.start('a'), c.start('b'), c.start('c')]);
    if (!a) throw new Error('no instance');
    const id = 801;
    sendTo(c, a, id, 'make a video of a lighthouse');
    await waitUntil('the reply', () => c.texts(id).some((t) => t.startsWith(PROMO)));
    sendTo(c, a, id, '/export');
    await waitUntil(
      'the render being polled',
      () => c.nemo.count('render') === 1 && c.nemo.count('poll') >= 2,
    );
    await a.kill();
    const killedAt = Date.now();
    c.nemo.options.renderPolls = 1; // the render is done at its next poll, whoever polls
    await waitUntil('the video', () => videos(c, id).length === 1, 30_000);
    const failoverMs = Date.now() - killedAt;
    // Two more sweeps of every survivor: nothing else comes.
    await new Promise((r) => setTimeout(r, 600));
    expect(videos(c, id)).toHaveLength(1);
    expect(c.nemo.count('render')).toBe(1);
    const said = c.tg.calls.filter((x) => x.method === 'sendMessage' && Number(x.params.chat_id) === id);
    expect(said.filter((x) => x.params.text === en.exportResumed)).toHaveLength(1);
    console.info(`failover (SIGKILL → video posted by a survivor): ${failoverMs} ms`);
  }, 90_000);

  it('a restarting instance tells only the chats whose turn it cut, not those another instance serves', async () => {
    const c = await startCluster({ nemo: { generateMs: 6_000 } });
    cluster = c;
    c.route = (u) => routes.get(u.update_id as number);
    const [a, b] = await Promise.all([c.start('a'), c.start('b')]);
    if (!a || !b) throw new Error('no instance');
    const [onA, onB] = [802, 803];
    sendTo(c, a, onA, 'make a video of a windmill');
    sendTo(c, b, onB, 'make a video of a harbour');
    await waitUntil('both streams', () => c.nemo.chats.length === 2);
    await a.stop(); // SIGTERM: a's turn is cut and left recorded; b's runs on
    const a2 = await c.start('a2');
    await waitUntil('the cut chat is told', () =>
      c.texts(onA).includes(en.restartedTurn('make a video of a windmill')),
    );
    await waitUntil('the other chat’s reply', () => c.texts(onB).some((t) => t.startsWith(PROMO)), 30_000);
    await new Promise((r) => setTimeout(r, 600)); // more sweeps of both instances
    expect(c.texts(onB).filter((t) => t.startsWith('ℹ️'))).toEqual([]);
    expect(c.texts(onB).some((t) => t.includes('restarted'))).toBe(false);
    expect(c.texts(onA).filter((t) => t === en.restartedTurn('make a video of a windmill'))).toHaveLength(1);
    expect(c.nemo.duplicateChats).toEqual([]);
    expect(a2.running()).toBe(true);
  }, 90_000);
});
