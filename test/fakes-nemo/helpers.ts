// Plain-fetch helpers to drive the fake NemoVideo server in its own tests.
import type { FakeNemo } from '../fakes/nemo/types.ts';

/** Parsed wire JSON: these tests assert its shape field by field. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON under test
export type Json = any;

export interface Api {
  headers: Record<string, string>;
  token: string;
  userId: string;
}

export async function anonToken(fake: FakeNemo, clientId: string = crypto.randomUUID()): Promise<Api> {
  const res = await fetch(`${fake.url}/api/auth/anonymous-token`, {
    method: 'POST',
    headers: { 'X-Client-Id': clientId },
  });
  const body = (await res.json()) as { data: { token: string; user_id: string } };
  const token = body.data.token;
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    'X-Skill-Source': 'ai-video-generation-online',
    'X-Skill-Version': '0.1.0',
    'X-Skill-Platform': 'terminal',
  };
  return { headers, token, userId: body.data.user_id };
}

export async function call(fake: FakeNemo, api: Api, method: string, path: string, body?: unknown) {
  const init: RequestInit = { method, headers: api.headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${fake.url}${path}`, init);
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export async function newSession(fake: FakeNemo, api: Api, language = 'en'): Promise<string> {
  const r = await call(fake, api, 'POST', '/api/tasks/me/with-session/nemo_agent', {
    task_name: 'project',
    language,
  });
  return r.json.data.session_id as string;
}

export const chatBody = (sid: string, text: string) => ({
  app_name: 'nemo_agent',
  user_id: 'me',
  session_id: sid,
  new_message: { parts: [{ text }] },
});

/** Sends a chat message and reads the whole stream (raw bytes as text). */
export async function chatRaw(fake: FakeNemo, api: Api, sid: string, text: string) {
  const res = await fetch(`${fake.url}/run_sse`, {
    method: 'POST',
    headers: { ...api.headers, Accept: 'text/event-stream' },
    body: JSON.stringify(chatBody(sid, text)),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), raw: await res.text() };
}

/** SSE blocks: each is the list of its lines (a `data:` line, a `: comment`, …). */
export function blocks(raw: string): string[][] {
  return raw
    .split(/\r?\n\r?\n/)
    .filter((b) => b.length > 0)
    .map((b) => b.split(/\r?\n/));
}

/** The JSON of every `data: {…}` event. */
export function events(raw: string): Json[] {
  return blocks(raw)
    .flat()
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)));
}
