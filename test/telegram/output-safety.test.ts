import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatPort } from '../../src/core/ports.ts';
import { HOSTILE, HOSTILE_CLEAN, UNSAFE } from '../adapters-shared/hostile.ts';
import { botTexts, type RecordingHarness, recordingHarnesses } from './harness.ts';

// The agent's markup and control characters against the fake Bot API, with real grammY: every text goes as
// plain text (no parse_mode, no entities), so `<b>` or a `tg://user` link shows as typed and cannot break
// the send or ping anyone; NUL and escape sequences are removed; a text left empty sends and fails nothing.

const start = recordingHarnesses();
const MARKUP = '<b>bold</b> *bold* _it_ `code` [x](tg://user?id=1) <a href="tg://user?id=2">y</a> &amp;';

async function chatOf(h: RecordingHarness): Promise<ChatPort> {
  const ann = h.tg.user(7);
  h.tg.sendText(h.tg.privateChat(ann), ann, 'hi');
  await h.engine.waitHandled(1);
  return h.engine.handled[0]!.chat;
}

/** Calls that carry text the bot wrote. */
const textCalls = (h: RecordingHarness) =>
  h.tg.calls.filter((c) => ['sendMessage', 'editMessageText', 'sendVideo'].includes(c.method));

describe('telegram: agent text is plain text', () => {
  it('markup arrives literally, with no parse_mode or entities, in messages, edits and captions', async () => {
    const h = await start();
    const chat = await chatOf(h);
    const ref = await chat.send({ text: `${MARKUP}\n${HOSTILE}`, buttons: ['export'] });
    await chat.edit(ref, { text: `edited ${MARKUP} ${HOSTILE}` });
    const dir = await mkdtemp(join(tmpdir(), 'tg-safety-'));
    const path = join(dir, 'render.mp4');
    await writeFile(path, Buffer.from('mp4'));
    await chat.sendVideo({
      url: 'https://cdn.example/v.mp4',
      path,
      size: 3,
      caption: `${MARKUP} ${HOSTILE}`,
      linkText: 'Download it here:',
    });
    await rm(dir, { recursive: true });

    const calls = textCalls(h);
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ['sendMessage', 200],
      ['editMessageText', 200],
      ['sendVideo', 200],
    ]);
    for (const c of calls) {
      expect(c.params.parse_mode, c.method).toBeUndefined();
      expect(c.params.entities ?? c.params.caption_entities, c.method).toBeUndefined();
      expect(UNSAFE.test(String(c.params.text ?? c.params.caption))).toBe(false);
    }
    expect(botTexts(h.tg, 7)).toEqual([`${MARKUP}\n${HOSTILE_CLEAN}`, `edited ${MARKUP} ${HOSTILE_CLEAN}`]);
    expect(calls[2]!.params.caption).toBe(`${MARKUP} ${HOSTILE_CLEAN}`);
  });

  it('a long text with NULs is cleaned, then split within 4096', async () => {
    const h = await start();
    const chat = await chatOf(h);
    await chat.send({ text: `${'word\x00 '.repeat(1200)}end` });
    const texts = botTexts(h.tg, 7);
    expect(texts.length).toBe(2);
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(4096);
      expect(t).not.toContain('\x00');
    }
    expect(texts.join(' ')).toBe(`${'word '.repeat(1200)}end`);
  });

  it('a text empty once cleaned sends nothing and fails nothing; the next one still goes', async () => {
    const h = await start();
    const chat = await chatOf(h);
    const ref = await chat.send({ text: 'progress' });
    await chat.edit(ref, { text: '\x00\x1b[2J\x07' });
    await chat.send({ text: ' \x00\u202e\r\n' });
    await chat.send({ text: 'after' });
    expect(botTexts(h.tg, 7)).toEqual(['progress', 'after']);
    expect(h.tg.calls.filter((c) => c.status >= 400)).toEqual([]);
  });
});
