import { describe, expect, it } from 'vitest';
import { recordingHarnesses } from './harness.ts';

// An update counts as handled only once the engine accepted it (src/adapters/telegram/updates.ts): until
// then grammY does not confirm it to Telegram (the next getUpdates' offset), so a process killed before
// acceptance gets it again after a restart. A claim keeps two processes from handling one update.

const start = recordingHarnesses();

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Telegram update acceptance', () => {
  it('confirms an update to Telegram only after the engine accepted it, then marks it handled', async () => {
    const { tg, engine, state } = await start();
    // The turn runs long and records nothing durable: only `accepted` lets the update be confirmed.
    let finish = () => {};
    engine.turn = () => new Promise<void>((r) => (finish = r));
    const ann = tg.user(7);
    const update = tg.sendText(tg.privateChat(ann), ann, 'export');
    const [message] = await engine.waitHandled(1);
    const confirmed = () =>
      tg.calls.some((c) => c.method === 'getUpdates' && Number(c.params.offset) > update.update_id);
    await new Promise((r) => setTimeout(r, 200));
    expect(confirmed()).toBe(false);
    expect(await state.get(`tg:update:${update.update_id}`)).toMatchObject({ by: expect.any(String) });

    await message?.accepted?.();
    expect(await state.get(`tg:update:${update.update_id}`)).toBe(1);
    await until(confirmed, 'the offset confirmed');
    // Delivered again (a webhook retry, a lost confirmation): handled once.
    tg.redeliver(update);
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.handled).toHaveLength(1);
    finish();
  });

  it('takes over an update whose claim a dead process left, once the claim lapses', async () => {
    const { tg, engine, state } = await start();
    const ann = tg.user(8);
    const chat = tg.privateChat(ann);
    const first = tg.sendText(chat, ann, 'hi');
    const [m1] = await engine.waitHandled(1);
    await m1?.accepted?.();
    // The next update's id was claimed by a process killed before it accepted it.
    const next = first.update_id + 1;
    await state.set(`tg:update:${next}`, { by: 'a-dead-process' }, 400);
    const again = tg.sendText(chat, ann, 'export');
    expect(again.update_id).toBe(next);
    const started = Date.now();
    await engine.waitHandled(2, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(engine.handled.map((h) => h.message.text)).toEqual(['hi', 'export']);
  });
});
