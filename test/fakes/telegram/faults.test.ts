import { Bot, HttpError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BAD_GATEWAY_HTML, CONFLICT } from './faults.ts';
import { type FakeTelegram, type RecordedCall, startFakeTelegram } from './server.ts';

// The fake Bot API's fault switches (faults.ts), driven by the real grammY client as the bot meets them.

let tg: FakeTelegram;
beforeEach(async () => {
  tg = await startFakeTelegram();
  // Telegram lets a bot write to a private chat only after the user pressed Start.
  tg.privateChat(tg.user(1));
});
afterEach(async () => {
  await tg.close();
});

const api = () => new Bot(tg.token, { client: { apiRoot: tg.url } }).api;

describe('fake Telegram faults', () => {
  it('a 502 page from the nginx front: grammY sees a failed request, the next call goes through', async () => {
    tg.faults.badGateway('sendMessage', 1);
    const err = await api()
      .sendMessage(1, 'x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const raw = await fetch(`${tg.url}/bot${tg.token}/getMe`);
    expect(raw.status).toBe(200);
    tg.faults.badGateway('getMe', 1);
    const page = await fetch(`${tg.url}/bot${tg.token}/getMe`);
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([
      502,
      'text/html',
      BAD_GATEWAY_HTML,
    ]);
    expect((await api().sendMessage(1, 'y')).text).toBe('y');
    expect(tg.faults.badGatewaysServed).toBe(2);
    expect(tg.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params.text)).toEqual(['y']);
  });

  it('a 409 window ends the held long poll and refuses new ones until it closes', async () => {
    const held = api()
      .getUpdates({ timeout: 10 })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    tg.conflict(300);
    expect(await held).toMatchObject({ error_code: 409, description: CONFLICT });
    await expect(api().getUpdates({ timeout: 0 })).rejects.toMatchObject({ error_code: 409 });
    await new Promise((r) => setTimeout(r, 350));
    expect(await api().getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('holds an upload after part of its body, unanswered, until the client goes away', async () => {
    const stalled = tg.faults.stall('sendVideo', 64 * 1024);
    const ctl = new AbortController();
    const upload = api()
      .sendVideo(1, new InputFile(Buffer.alloc(512 * 1024), 'v.mp4'), {}, ctl.signal as never)
      .catch((e: unknown) => e);
    await stalled;
    expect(tg.calls.some((c) => c.method === 'sendVideo')).toBe(false);
    ctl.abort();
    expect(await upload).toBeInstanceOf(HttpError);
    // Only that one request was held: the next upload is answered.
    const sent = await api().sendVideo(1, new InputFile(Buffer.from('mp4'), 'v.mp4'));
    expect(sent.video).toBeDefined();
  });

  it('reports every answer after it was written', async () => {
    const seen: RecordedCall[] = [];
    const off = tg.faults.onAnswered((c) => seen.push(c));
    await api().getMe();
    off();
    await api().getMe();
    expect(seen.map((c) => [c.method, c.status])).toEqual([['getMe', 200]]);
  });
});
