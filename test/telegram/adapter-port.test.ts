import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { botTexts, RecordingEngine, recordingHarnesses, startHarnessWithToken } from './harness.ts';

// The adapter with real grammY against the fake Bot API and a recording engine: webhooks, polling,
// and the chat port (edits, splitting, 429s, videos as files or links).

const start = recordingHarnesses();

describe('telegram adapter: transport and chat port', () => {
  it('serves webhooks: an update POSTed with the secret is handled, a wrong secret gets 401', async () => {
    const h = await start({ TELEGRAM_WEBHOOK_SECRET: 'hook-secret-123456' }, { webhook: true });
    const { tg, engine } = h;
    const set = await tg.waitFor('setWebhook');
    expect(set.params).toMatchObject({
      url: `${h.httpUrl}/telegram/hook`,
      secret_token: 'hook-secret-123456',
    });
    expect(tg.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    // The fake delivers by POSTing to the handler mounted on main's HTTP server.
    const ann = tg.user(7);
    const update = tg.sendText(tg.privateChat(ann), ann, 'via webhook');
    const [m] = await engine.waitHandled(1);
    expect(m!.text).toBe('via webhook');
    expect(await tg.postWebhook({ ...update, update_id: 999_999 }, 'wrong')).toBe(401);
    expect(await tg.postWebhook(update)).toBe(200); // a re-delivery: acknowledged, not handled again
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.handled).toHaveLength(1);
  });

  it('logs a 409 when a second instance polls with the same token', async () => {
    const first = await start();
    await first.tg.waitFor('getUpdates', (c) => Number(c.params.timeout) > 0);
    const engine = new RecordingEngine();
    const second = await startHarnessWithToken(first.tg.url, first.tg.token, engine);
    await second.waitLog(/409 Conflict/);
    await second.stop();
  });

  it('edits in place, skipping identical text; splits long messages; survives a 429 storm', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    const ref = await chat.send({ text: '⏳ Rendering 10%' });
    await chat.edit(ref, { text: '⏳ Rendering 10%' });
    await chat.edit(ref, { text: '⏳ Rendering 50%' });
    await chat.edit(ref, { text: '⏳ Rendering 50%' });
    expect(tg.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(1);
    tg.rateLimit('*', 4, 0.02);
    await chat.send({ text: `${'word '.repeat(1000)}\n${'more '.repeat(1000)}` });
    const texts = botTexts(tg, 7);
    expect(texts.slice(-2).every((t) => t.length <= 4096)).toBe(true);
    expect(tg.calls.filter((c) => c.status === 429)).toHaveLength(4);
  });

  it('sends a video within 50 MB from its path with supports_streaming, a larger one as a link', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7, { lang: 'en' });
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    expect(chat.videoLimitBytes).toBe(50 * 1024 * 1024);
    const dir = await mkdtemp(join(tmpdir(), 'tg-video-'));
    const path = join(dir, 'render.mp4');
    const bytes = Buffer.from('fake mp4 bytes for the upload');
    await writeFile(path, bytes);
    tg.rateLimit('sendVideo', 1, 0.02); // the retry re-reads the file: a path, not a spent stream
    await chat.sendVideo({
      url: 'https://cdn.example/v.mp4',
      path,
      size: bytes.length,
      durationSec: 30.4,
      caption: 'Done',
      linkText: 'unused: the file fits',
    });
    const video = tg.calls.find((c) => c.method === 'sendVideo' && c.status === 200)!;
    expect(video.files.video?.bytes.equals(bytes)).toBe(true);
    expect(video.params).toMatchObject({
      chat_id: 7,
      supports_streaming: true,
      duration: 30,
      caption: 'Done',
    });
    expect(tg.calls.some((c) => c.method === 'sendChatAction' && c.params.action === 'upload_video')).toBe(
      true,
    );

    // No file: the core's link notice and the URL, nothing the adapter words itself.
    await chat.sendVideo({
      url: 'https://cdn.example/big.mp4',
      size: 60 * 1024 * 1024,
      caption: 'not for a link',
      linkText: 'Too big for here (60.0 MB):',
    });
    expect(botTexts(tg, 7).at(-1)).toBe('Too big for here (60.0 MB):\nhttps://cdn.example/big.mp4');
    expect(tg.calls.filter((c) => c.method === 'sendVideo' && c.status === 200)).toHaveLength(1);
    await rm(dir, { recursive: true });
  });

  it('posts a new message when the status message can no longer be edited, and edits that one after', async () => {
    const { tg, engine } = await start();
    const ann = tg.user(7);
    tg.sendText(tg.privateChat(ann), ann, 'hi');
    await engine.waitHandled(1);
    const chat = engine.handled[0]!.chat;
    const ref = await chat.send({ text: 'step 1' });
    tg.state.messages.delete(`7:${ref.id}`);
    await chat.edit(ref, { text: 'step 2' });
    await chat.edit(ref, { text: 'step 3' });
    expect(botTexts(tg, 7)).toEqual(['step 1', 'step 2', 'step 3']);
    expect(tg.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(2);
  });

  it('stops polling on stop() and confirms the offset', async () => {
    const { tg, adapter } = await start();
    await tg.waitFor('getUpdates', (c) => Number(c.params.timeout) > 0);
    await adapter.stop();
    const polls = tg.calls.filter((c) => c.method === 'getUpdates');
    expect(polls.at(-1)!.params.timeout).toBeUndefined();
  });
});

/** A second adapter against an existing fake (wrong token, second poller). */
