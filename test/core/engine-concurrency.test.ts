import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// docs/decisions.md decision 4 (one turn at a time, commands never wait, bounded FIFO, one export at a time,
// cancel) and decision 2 (a broken stream after delivery is never re-sent).

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

describe('concurrency in one chat', () => {
  it('answers credits and status while a slow turn runs; a second prompt waits its turn', async () => {
    h = await harness({ fake: { generateMs: 400 } });
    const chat = recordingChat();
    const turn = h.engine.handle(inbound(chat, PROMPT), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    const second = h.engine.handle(inbound(chat, 'add a title "Hello"'), chat);
    await h.engine.handle(inbound(chat, 'credits'), chat);
    await h.engine.handle(inbound(chat, 'status'), chat);
    // Answered while the first turn still runs: the agent has not got the second prompt.
    expect(h.fake.chats).toHaveLength(1);
    const texts = chat.texts();
    expect(texts).toContain(en.queued(1));
    expect(texts.some((t) => t.startsWith('💳 Credits:'))).toBe(true);
    expect(texts.some((t) => t.startsWith('⏳ Working on your request'))).toBe(true);
    await Promise.all([turn, second]);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT, 'add a title "Hello"']);
  });

  it('refuses prompts past QUEUE_MAX with a busy message', async () => {
    h = await harness({ fake: { generateMs: 300 }, env: { QUEUE_MAX: '1' } });
    const chat = recordingChat();
    const first = h.engine.handle(inbound(chat, PROMPT), chat);
    const second = h.engine.handle(inbound(chat, 'add a title "A"'), chat);
    await h.engine.handle(inbound(chat, 'add a title "B"'), chat);
    expect(chat.texts()).toContain(en.busy);
    await Promise.all([first, second]);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT, 'add a title "A"']);
  });

  it('a prompt still queued when the process stops is not lost silently: the user is asked to resend', async () => {
    h = await harness({ fake: { generateMs: 2_000 } });
    const chat = recordingChat();
    const first = h.engine.handle(inbound(chat, PROMPT), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    const second = h.engine.handle(inbound(chat, 'add a title "Late"'), chat);
    await chat.waitFor(() => chat.texts().includes(en.queued(1)));
    await h.engine.close();
    await Promise.all([first, second]);
    expect(chat.texts()).toContain(en.shuttingDown);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT]);
  });

  it('a double export renders once', async () => {
    h = await harness({ fake: { renderPolls: 4 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const a = h.engine.handle(inbound(chat, '', { command: 'export' }), chat);
    const b = h.engine.handle(inbound(chat, 'export'), chat);
    await Promise.all([a, b]);
    expect(chat.texts()).toContain(en.exportRunning);
    expect(h.fake.count('render')).toBe(1);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });

  it('cancel stops waiting for the turn, drops the queue and says what may still happen', async () => {
    h = await harness({ fake: { generateMs: 2_000 } });
    const chat = recordingChat();
    const turn = h.engine.handle(inbound(chat, PROMPT), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    const queued = h.engine.handle(inbound(chat, 'add a title "Late"'), chat);
    await h.engine.handle(inbound(chat, '/cancel'), chat);
    await Promise.all([turn, queued]);
    const text = chat.texts().join('\n');
    expect(text).toContain(en.cancelledTurn);
    expect(text).toContain(en.cancelledQueue(1));
    expect(h.fake.chats).toHaveLength(1);
    // The cancelled turn is not reported as an error, and nothing is left in flight.
    expect(text).not.toContain(
      en.errors.aborted({ operator: false, platform: 'terminal', formats: '', maxMb: 0 }),
    );
    const record = (await h.store.get('chat:term:test')) as { inFlight?: unknown };
    expect(record.inFlight).toBeUndefined();
    await h.engine.handle(inbound(chat, 'cancel'), chat);
    expect(chat.texts().at(-1)).toBe(en.nothingToCancel);
  });
});

describe('a broken stream', () => {
  it('after delivery: never re-sent; the state is checked and the change summarised', async () => {
    h = await harness({ fake: { faults: [{ route: 'chat', disconnectAfterEvents: 2 }] } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    expect(h.fake.chats).toHaveLength(1);
    expect(h.fake.duplicateChats).toEqual([]);
    const texts = chat.texts();
    expect(texts).toContain(en.connectionLost);
    const recovered = texts.find((t) => t.startsWith('✅ It went through.'));
    expect(recovered).toMatch(/Added: Video/);
  });

  it('gives up after RECOVERY_CHECKS unchanged looks', async () => {
    h = await harness({ fake: { replyMs: 5 }, env: { RECOVERY_CHECKS: '3' } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    h.fake.options.faults = [{ route: 'chat', disconnectAfterEvents: 0 }];
    const polls = h.fake.count('state');
    await h.engine.handle(inbound(chat, 'what can you do?'), chat);
    expect(chat.texts()).toContain(en.recoveryGaveUp);
    // One look before the turn, then three checks.
    expect(h.fake.count('state') - polls).toBe(4);
    expect(h.fake.duplicateChats).toEqual([]);
  });

  it('1002 before delivery: a new session, the user told, the message sent once there', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    h.fake.options.faults = [{ route: 'chat', code: 1002 }];
    await h.engine.handle(inbound(chat, 'add a title "Again"'), chat);
    expect(chat.texts()).toContain(en.newSession);
    expect(h.fake.count('session')).toBe(2);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT, 'add a title "Again"']);
  });
});
