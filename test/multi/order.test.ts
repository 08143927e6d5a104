import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/i18n/index.ts';
import { type BotProcess, type Cluster, redisUnavailable, startCluster, waitUntil } from './harness.ts';

// Two real bot processes on one Redis, one chat: its messages go to both instances, yet they run one at a
// time (one open agent stream at the fake NemoVideo), in order, with the queue answers counted over both;
// /cancel on one instance stops the turn running on the other; an update delivered to both runs once.

const en = messages('en');
const down = await redisUnavailable();
if (down && process.env.CI === 'true') throw new Error(`Redis is required in CI: ${down}`);

describe.skipIf(down !== undefined)('several instances: one chat, one lane', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  /** Sends as `user` in `chat`, delivered by the balancer to `bot`. */
  function sendTo(c: Cluster, bot: BotProcess, chatUser: number, text: string) {
    const user = c.tg.user(chatUser, { lang: 'en' });
    const chat = c.tg.privateChat(user);
    const update = c.tg.sendText(chat, user, text);
    routes.set(update.update_id, bot);
    return update;
  }
  const routes = new Map<number, BotProcess>();
  const routed = (c: Cluster) => {
    c.route = (u) => routes.get(u.update_id as number);
  };

  it('serializes a chat across instances: one stream at a time, queue places and "busy" over both', async () => {
    // The first turn runs long enough for the other three to arrive, even on a loaded machine.
    const c = await startCluster({ nemo: { generateMs: 8_000 }, env: { QUEUE_MAX: '2' } });
    cluster = c;
    routed(c);
    const [a, b] = await Promise.all([c.start('a'), c.start('b')]);
    const id = 701;
    const prompts = [
      'make a video of a red kite',
      'make a video of a blue lake',
      'make a video of a green hill',
    ];
    sendTo(c, a, id, prompts[0]!);
    await waitUntil('the first stream', () => c.nemo.chats.length === 1);
    c.nemo.options.generateMs = 300;
    sendTo(c, b, id, prompts[1]!);
    await waitUntil('the second place', () => c.texts(id).includes(en.queued(1)));
    sendTo(c, a, id, prompts[2]!);
    await waitUntil('the third place', () => c.texts(id).includes(en.queued(2)));
    sendTo(c, b, id, 'make a video of a fourth thing');
    await waitUntil('the busy answer', () => c.texts(id).includes(en.busy));
    await waitUntil(
      'three replies',
      () => c.texts(id).filter((t) => t.startsWith('Your 30-second promo')).length === 3,
    );

    expect(c.nemo.chats.map((x) => x.text)).toEqual(prompts);
    const sessions = new Set(c.nemo.chats.map((x) => x.sessionId));
    expect(sessions.size).toBe(1); // the second instance used the session the first created
    const [session] = [...sessions];
    expect(c.nemo.streams.most.get(session ?? '')).toBe(1);
    expect(c.nemo.duplicateChats).toEqual([]);
  }, 60_000);

  it('/cancel on one instance stops the turn running on the other and drops the queued ones', async () => {
    const c = await startCluster({ nemo: { generateMs: 60_000 } });
    cluster = c;
    routed(c);
    const [a, b] = await Promise.all([c.start('a'), c.start('b')]);
    const id = 702;
    sendTo(c, a, id, 'make a video of a slow river');
    await waitUntil('the stream', () => c.nemo.chats.length === 1);
    const [session] = c.nemo.chats.map((x) => x.sessionId);
    sendTo(c, b, id, 'make a video of a queued cloud');
    await waitUntil('the queued answer', () => c.texts(id).includes(en.queued(1)));
    sendTo(c, b, id, '/cancel');
    await waitUntil('the cancel answer', () => c.texts(id).some((t) => t.includes(en.cancelledTurn)));
    const answer = c.texts(id).find((t) => t.includes(en.cancelledTurn)) ?? '';
    expect(answer).toContain(en.cancelledQueue(1));
    // The running stream (60 s of generation at the fake) was closed by the instance that ran it.
    await waitUntil('the stream closed', () => c.nemo.streams.open.get(session ?? '') === 0);
    // The lane is free again, for a message to either instance; the dropped prompt never ran.
    c.nemo.options.generateMs = 50;
    sendTo(c, a, id, 'make a video of a fast bird');
    await waitUntil('the new reply', () => c.texts(id).some((t) => t.startsWith('Your 30-second promo')));
    expect(c.nemo.chats.map((x) => x.text)).toEqual([
      'make a video of a slow river',
      'make a video of a fast bird',
    ]);
  }, 60_000);

  it('an update delivered to two instances is handled once', async () => {
    const c = await startCluster();
    cluster = c;
    routed(c);
    const [a, b] = await Promise.all([c.start('a'), c.start('b')]);
    const id = 703;
    const update = sendTo(c, a, id, 'make a video of one twin');
    const direct = await c.post(b, update);
    expect(direct).toBe(200);
    await waitUntil('the reply', () => c.texts(id).some((t) => t.startsWith('Your 30-second promo')));
    await new Promise((r) => setTimeout(r, 500)); // time for a second handling to show, if there were one
    expect(c.nemo.chats.map((x) => x.text)).toEqual(['make a video of one twin']);
    expect(c.texts(id).filter((t) => t.startsWith('Your 30-second promo'))).toHaveLength(1);
  }, 60_000);
});
