// The bare baseline, in its own process (forked by bench/harness.ts, driven over IPC): what relaying costs with
// nothing but undici + eventsource-parser — POST /run_sse, parse the stream, POST sendMessage for each complete
// agent text; a heartbeat as one sendMessage and then edits; credits as raw GETs; a file transfer as a GET to a
// temp file and a multipart POST. No store, no engine, no grammY: the floor the bot is compared with.
import { randomUUID } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createParser } from 'eventsource-parser';
import { Agent, FormData, request } from 'undici';

const agent = new Agent({ keepAliveTimeout: 60_000, connections: null });
const streams = new Set<AbortController>();

interface Targets {
  nemo: string;
  tg: string;
  token: string;
}

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  await res.body.dump();
}

/** One agent turn: each complete, non-thought text part goes to Telegram as it arrives. */
async function relay(t: Targets, chatId: number, text: string): Promise<void> {
  const res = await request(`${t.nemo}/run_sse`, {
    method: 'POST',
    dispatcher: agent,
    bodyTimeout: 0,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer x' },
    body: JSON.stringify({
      app_name: 'nemo_agent',
      user_id: 'me',
      session_id: `bare-${chatId}`,
      new_message: { parts: [{ text }] },
    }),
  });
  const sends: Promise<void>[] = [];
  const parser = createParser({
    onEvent(ev) {
      if (!ev.data.trim()) return;
      const obj = JSON.parse(ev.data) as { partial?: boolean; content?: { parts?: unknown[] } };
      if (obj.partial) return;
      for (const p of obj.content?.parts ?? []) {
        const part = p as { text?: string; thought?: boolean };
        if (typeof part.text === 'string' && !part.thought && part.text.trim())
          sends.push(post(`${t.tg}/bot${t.token}/sendMessage`, { chat_id: chatId, text: part.text }));
      }
    },
  });
  const utf8 = new TextDecoder();
  for await (const chunk of res.body) parser.feed(utf8.decode(chunk as Buffer, { stream: true }));
  await Promise.all(sends);
}

/** Holds an agent stream open and sends "still working" every `intervalMs`, each timed from the last one. */
async function hold(t: Targets, chatId: number, intervalMs: number, signal: AbortSignal): Promise<void> {
  const res = await request(`${t.nemo}/run_sse`, {
    method: 'POST',
    dispatcher: agent,
    signal,
    bodyTimeout: 0,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ session_id: `bare-${chatId}`, new_message: { parts: [{ text: `#${chatId}` }] } }),
  });
  const parser = createParser({ onEvent() {} });
  const utf8 = new TextDecoder();
  res.body.on('data', (c: Buffer) => parser.feed(utf8.decode(c, { stream: true })));
  res.body.on('error', () => {});
  let messageId: number | undefined;
  const started = Date.now();
  const beat = async () => {
    if (signal.aborted) return;
    const text = `⏳ Still working... (${Math.round((Date.now() - started) / 1000)}s)`;
    try {
      if (messageId === undefined) {
        const r = await request(`${t.tg}/bot${t.token}/sendMessage`, {
          method: 'POST',
          dispatcher: agent,
          signal,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: chatId, text: '⏳ Still working...' }),
        });
        messageId = ((await r.body.json()) as { result: { message_id: number } }).result.message_id;
      } else {
        await post(
          `${t.tg}/bot${t.token}/editMessageText`,
          { chat_id: chatId, message_id: messageId, text },
          signal,
        );
      }
    } catch {
      if (signal.aborted) return;
    }
    setTimeout(beat, intervalMs);
  };
  setTimeout(beat, intervalMs);
}

async function rawCredits(nemo: string, concurrency: number, durationMs: number): Promise<number> {
  let n = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const res = await request(`${nemo}/api/credits/balance/simple`, {
          dispatcher: agent,
          headers: { authorization: 'Bearer x' },
        });
        await res.body.json();
        n++;
      }
    }),
  );
  return n;
}

/** sendMessage requests per `durationMs` from `concurrency` loops (what a fake Telegram can take). */
async function rawSends(t: Targets, concurrency: number, durationMs: number): Promise<number> {
  let n = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < end) {
        await post(`${t.tg}/bot${t.token}/sendMessage`, { chat_id: 9_100_000_000 + i, text: `ping ${n}` });
        n++;
      }
    }),
  );
  return n;
}

/** Download to a temp file, then a multipart upload of that file (the curl -o / curl -F pair, in undici). */
async function transfer(url: string, tg: string, token: string): Promise<void> {
  const file = path.join(tmpdir(), `bare-${randomUUID()}.mp4`);
  try {
    const res = await request(url, { dispatcher: agent });
    await pipeline(res.body, createWriteStream(file));
    const form = new FormData();
    form.set('chat_id', '1');
    form.set('video', await openAsBlob(file, { type: 'video/mp4' }), 'video.mp4');
    const up = await request(`${tg}/bot${token}/sendVideo`, {
      method: 'POST',
      dispatcher: agent,
      body: form,
    });
    await up.body.dump();
  } finally {
    await rm(file, { force: true });
  }
}

type Cmd = { id: number; cmd: string } & Record<string, unknown>;

async function run(m: Cmd): Promise<unknown> {
  const t = m as unknown as Targets & Cmd;
  switch (m.cmd) {
    case 'ping':
      return 'pong';
    case 'relay': {
      const chats = m.chats as number[];
      await Promise.all(chats.map((c) => relay(t, c, `tell me more about #${c} take ${String(m.round)}`)));
      return chats.length;
    }
    case 'hold': {
      // Opened spread over rampMs, as the bot gets its prompts.
      const chats = m.chats as number[];
      const ramp = Number(m.rampMs ?? 0);
      await Promise.all(
        chats.map(async (c, i) => {
          await new Promise((r) => setTimeout(r, (i * ramp) / chats.length));
          const ctl = new AbortController();
          streams.add(ctl);
          return hold(t, c, Number(m.intervalMs), ctl.signal);
        }),
      );
      return chats.length;
    }
    case 'release':
      for (const c of streams) c.abort();
      streams.clear();
      return true;
    case 'credits':
      return rawCredits(t.nemo, Number(m.concurrency), Number(m.durationMs));
    case 'sends':
      return rawSends(t, Number(m.concurrency), Number(m.durationMs));
    case 'transfer':
      await transfer(String(m.url), t.tg, t.token);
      return true;
    default:
      throw new Error(`unknown command ${m.cmd}`);
  }
}

process.on('message', (m: Cmd) => {
  run(m).then(
    (result) => process.send?.({ id: m.id, result }),
    (e: unknown) => process.send?.({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
