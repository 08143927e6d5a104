import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HOSTILE, HOSTILE_CLEAN, UNSAFE } from '../adapters-shared/hostile.ts';
import type { RestCall } from '../fakes/discord/server.ts';
import { type Harness, ScriptedEngine, startHarness } from './harness.ts';

// What the agent says cannot ping anyone or carry control characters: every message the bot creates or
// edits — interaction replies, follow-ups, channel posts, late results — is checked on the REST payload
// the fake Discord received.

const GENERAL = '300000000000000001';
const REQUESTER = '400000000000000001';
const PINGS = `@everyone @here <@&500000000000000001> <@400000000000000002> <@!400000000000000003>`;

let h: Harness;
let engine: ScriptedEngine;

beforeEach(async () => {
  engine = new ScriptedEngine();
  h = await startHarness({ engine });
});
afterEach(async () => {
  await h.close();
});

/** REST calls that create or edit a message with content (not the defer callback, not typing). */
const messageCalls = (): RestCall[] =>
  h.fake.calls.filter(
    (c) =>
      (c.method === 'POST' || c.method === 'PATCH') &&
      /\/messages(\/[^/]+)?$|^\/webhooks\/\d+\/[^/]+$/.test(c.path) &&
      typeof (c.body as { content?: unknown })?.content === 'string',
  );

const body = (c: RestCall) => c.body as { content: string; allowed_mentions?: unknown };

const speak = async (chat: Parameters<ScriptedEngine['script']>[1]) => {
  const ref = await chat.send({ text: `${PINGS} ${HOSTILE}`, buttons: ['export'] });
  await chat.edit(ref, { text: `${PINGS} edited ${HOSTILE}` });
  await chat.send({ text: `${PINGS} second` });
};

describe('allowed_mentions on every payload', () => {
  test('interaction replies, edits and follow-ups ping nobody and carry no control characters', async () => {
    engine.script = async (_m, chat) => speak(chat);
    const i = h.fake.slash('video', { prompt: 'x' });
    await h.fake.waitFor(() => h.fake.repliesTo(i).length === 2);
    const calls = messageCalls();
    expect(calls.map((c) => `${c.method} ${c.path.replace(/\d{5,}|[\w-]{40,}/g, ':id')}`)).toEqual([
      'PATCH /webhooks/:id/:id/messages/@original',
      'PATCH /webhooks/:id/:id/messages/@original',
      'POST /webhooks/:id/:id',
    ]);
    for (const c of calls) {
      expect(body(c).allowed_mentions, c.path).toEqual({ parse: [] });
      expect(UNSAFE.test(body(c).content)).toBe(false);
    }
    const [first] = h.fake.repliesTo(i);
    expect(first?.content).toBe(`${PINGS} edited ${HOSTILE_CLEAN}`);
    // The mentions stay readable as text.
    expect(first?.history[1]).toBe(`${PINGS} ${HOSTILE_CLEAN}`);
  });

  test('channel posts and edits (a mention of the bot) ping nobody', async () => {
    engine.script = async (_m, chat) => speak(chat);
    h.fake.message('make a video', { mentionsBot: true });
    await h.fake.waitFor(
      () => h.fake.channelMessages(GENERAL).filter((m) => m.authorId !== REQUESTER).length >= 2,
    );
    const calls = messageCalls();
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PATCH', 'POST']);
    for (const c of calls) {
      expect(body(c).allowed_mentions, c.path).toEqual({ parse: [] });
      expect(UNSAFE.test(body(c).content)).toBe(false);
    }
  });

  test('a late result pings only its requester, never who the agent names', async () => {
    await h.close();
    h = await startHarness({ engine, fake: { interactionTtlMs: 100 }, adapter: { interactionTtlMs: 100 } });
    engine.script = async (_m, chat) => {
      await new Promise((r) => setTimeout(r, 150));
      await chat.send({ text: `${PINGS} ${HOSTILE}` });
    };
    h.fake.slash('export');
    const late = await h.fake.waitFor(() => h.fake.channelMessages(GENERAL)[0]);
    expect(late.content).toBe(`<@${REQUESTER}> ${PINGS} ${HOSTILE_CLEAN}`);
    const post = messageCalls().find((c) => c.path === `/channels/${GENERAL}/messages`);
    expect(body(post!).allowed_mentions).toEqual({ parse: [], users: [REQUESTER] });
  });
});

describe('text that is empty once cleaned', () => {
  test('is not sent and breaks nothing: the next message still goes out', async () => {
    engine.script = async (_m, chat) => {
      const ref = await chat.send({ text: 'progress' });
      await chat.edit(ref, { text: '\x00\x1b[2J\x07' });
      await chat.send({ text: '\x00\u202e\r' });
      await chat.send({ text: 'after' });
    };
    const i = h.fake.slash('status');
    await h.fake.waitFor(() => h.fake.repliesTo(i).find((m) => m.content === 'after'));
    expect(h.fake.repliesTo(i).map((m) => m.content)).toEqual(['progress', 'after']);
    expect(h.fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });
});
