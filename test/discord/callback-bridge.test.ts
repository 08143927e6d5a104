import type { ClientOptions } from 'discord.js';
import { expect, test } from 'vitest';
import { CallbackBridge } from '../../src/adapters/discord/http-interactions.ts';

// The REST hook that turns an HTTP interaction's first response into the answer to Discord's POST: whatever
// the handler sends first (a deferral, a deferred update, a modal), the rest of the traffic untouched.

type MakeRequest = NonNullable<NonNullable<ClientOptions['rest']>['makeRequest']>;
type Fetch = (url: string, init: RequestInit) => Promise<Response>;

const API = 'http://127.0.0.1:1/api/v10';
const callbackUrl = (id: string) => `${API}/interactions/${id}/aW50ZXJhY3Rpb24/callback?with_response=false`;

function bridged() {
  const passed: string[] = [];
  const bridge = new CallbackBridge();
  const inner = (async (url: string) => {
    passed.push(url);
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as MakeRequest;
  const send = bridge.wrap(inner) as unknown as Fetch;
  return { bridge, send, passed };
}

test('a modal as the first response becomes the HTTP answer; discord.js sees a 204', async () => {
  const { bridge, send, passed } = bridged();
  const answers: Array<string | undefined> = [];
  const answered = bridge.expect('11', 1_000, async (body) => void answers.push(body));
  const modal = JSON.stringify({
    type: 9,
    data: { custom_id: 'nemo:brief', title: 'Brief', components: [] },
  });
  const res = await send(callbackUrl('11'), { method: 'POST', body: modal });
  expect(res.status).toBe(204);
  expect(await answered).toBe(true);
  expect(answers).toEqual([modal]);
  expect(passed).toEqual([]);
  // Follow-ups, and callbacks of interactions that came over the gateway, go to Discord.
  await send(`${API}/webhooks/1/tok/messages/@original`, { method: 'PATCH', body: '{}' });
  await send(callbackUrl('12'), { method: 'POST', body: '{"type":5}' });
  expect(passed).toHaveLength(2);
});

test('a first response with files cannot travel in the answer: the POST gets an error, so does the handler', async () => {
  const { bridge, send } = bridged();
  const answers: Array<string | undefined> = [];
  const answered = bridge.expect('21', 1_000, async (body) => void answers.push(body));
  const res = await send(callbackUrl('21'), { method: 'POST', body: new FormData() });
  expect(res.status).toBe(400);
  expect(await answered).toBe(true);
  expect(answers).toEqual([undefined]);
});

test('a handler too late for the answer is told what Discord would say (10062), nothing is sent', async () => {
  const { bridge, send, passed } = bridged();
  expect(await bridge.expect('31', 20, async () => {})).toBe(false);
  const res = await send(callbackUrl('31'), { method: 'POST', body: '{"type":5}' });
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ code: 10062 });
  expect(passed).toEqual([]);
});
