import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRoute, InjectedFault } from '../fakes/nemo/types.ts';
import type { FaultChat } from './chat.ts';
import { countChat, Tally } from './ledger.ts';
import { KNOWN_RED, result } from './scenarios.ts';
import { isErrorText } from './texts.ts';
import { World } from './world.ts';

// 5xx from each NemoVideo endpoint, once or in a burst, against one running bot (each case its own chat).
// Idempotent calls (credits, state, render poll) must retry before the user sees an error; the others may
// report it, and the user then tries once more, as people do — without a second charge or a re-sent message.

let world: World;
beforeAll(async () => {
  world = await World.open({ store: 'sqlite', nemo: { credits: { available: 4321, frozen: 0 } } });
  await world.start();
});
afterAll(async () => {
  const stopped = await world.stop('SIGTERM');
  await world.close();
  expect(stopped.code).toBe(0);
});

function inject(route: FakeRoute, fault: Omit<InjectedFault, 'route'>): void {
  world.nemo.options.faults.push({ route, ...fault });
}

const errorsShown = (chat: FaultChat): string[] =>
  chat
    .texts()
    .filter(isErrorText)
    .map((t) => `error shown: ${t}`);

/** Taps Export; after an error (no video once things settled) the user taps it once more. */
async function exportWithRetry(chat: FaultChat): Promise<void> {
  chat.pressExport();
  await world.settle([chat]);
  if (chat.videos() > 0) return;
  chat.pressExport();
  await world.settle([chat]);
}

async function credits(name: string, fault: Omit<InjectedFault, 'route'>): Promise<string[]> {
  const chat = world.chat();
  inject('credits', fault);
  chat.say('/credits');
  await world.settle([], 300, 1000);
  const shown = chat.texts().some((t) => /4,?321/.test(t));
  const tally = new Tally(name, 'sqlite');
  const problems = [...(shown ? [] : ['the balance was never shown']), ...errorsShown(chat)];
  tally.run(result(world, [countChat(chat, { exported: false })], problems));
  return tally.finish();
}

describe('5xx from NemoVideo (SQLite)', () => {
  it('credits: HTTP 500 once is retried, the balance is shown, no error', async () => {
    expect(await credits('5xx: credits HTTP 500 ×1', { status: 500 })).toEqual([]);
  });

  // FIXME(issue 9 #11): fails today: the error is shown, the balance never is (a body code 500 is not retried)
  it.skipIf(KNOWN_RED)('credits: {code:500} once is retried, the balance is shown, no error', async () => {
    expect(await credits('5xx: credits {code:500} ×1', { code: 500 })).toEqual([]);
  });

  for (const [route, status, times] of [
    ['state', 503, 1],
    ['poll', 500, 2],
    ['poll', 503, 4],
  ] as const) {
    const name = `5xx: ${route} HTTP ${status} ×${times} during an export`;
    // FIXME(issue 9 #2, #11): poll 503 ×4 fails today: posts/render 1/2×1 (the export dies after 3 tries,
    // the user's second tap renders again: charged twice), an error shown
    it.skipIf(KNOWN_RED && times > 2)(`${name}: one render, one video, no error`, async () => {
      const chat = world.chat();
      await chat.generate();
      inject(route, { status, times });
      await exportWithRetry(chat);
      const tally = new Tally(name, 'sqlite');
      tally.run(result(world, [countChat(chat)], errorsShown(chat)));
      expect(tally.finish()).toEqual([]);
    });
  }

  it('render create: HTTP 500 once, then one render and one video', async () => {
    const chat = world.chat();
    await chat.generate();
    inject('render', { status: 500 });
    await exportWithRetry(chat);
    const tally = new Tally('5xx: render create HTTP 500 ×1', 'sqlite');
    tally.run(result(world, [countChat(chat)]));
    expect(tally.finish()).toEqual([]);
  });

  it('upload: HTTP 500 once, the caption reaches the agent once', async () => {
    const chat = world.chat();
    const caption = `make a 10-second clip from this photo for chat ${chat.id}`;
    inject('upload', { status: 500 });
    chat.photo(caption);
    await world.settle([], 500, 1500);
    if (!world.nemo.chats.some((c) => c.text === caption)) {
      chat.photo(caption); // told it failed: the user sends it again
      await world.settle([], 500, 1500);
    }
    const sent = world.nemo.chats.filter((c) => c.text === caption).length;
    const tally = new Tally('5xx: upload HTTP 500 ×1', 'sqlite');
    const problems = sent === 1 ? [] : [`the caption reached the agent ${sent} times`];
    tally.run(result(world, [countChat(chat, { exported: false })], problems));
    expect(tally.finish()).toEqual([]);
  });

  it('run_sse: HTTP 500 once before the stream, the message reaches the agent once and is answered', async () => {
    const chat = world.chat();
    const text = `hello there from chat ${chat.id}`;
    inject('chat', { status: 500 });
    chat.say(text);
    await world.settle([], 500, 1500);
    const reached = () => world.nemo.chats.filter((c) => c.text === text).length;
    if (reached() === 0) {
      chat.say(text); // told it failed: the user sends it again
      await world.settle([], 500, 1500);
    }
    const answered = chat.texts().some((t) => t.includes('AI video agent'));
    const tally = new Tally('5xx: run_sse HTTP 500 ×1', 'sqlite');
    const problems = [
      ...(reached() === 1 ? [] : [`the message reached the agent ${reached()} times`]),
      ...(answered ? [] : ['the agent’s answer never reached the chat']),
    ];
    tally.run(result(world, [countChat(chat, { exported: false })], problems));
    expect(tally.finish()).toEqual([]);
  });
});
