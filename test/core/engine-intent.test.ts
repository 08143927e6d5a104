import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// An export request is recorded before anything else, so a process stopped while the export is being planned
// (before its job is stored) leaves something the next process tells the chat about. It is not resumed: the
// draft it was for is unknown, and a tap that arrives again would render twice. (test/terminal/interrupted-
// export.test.ts proves the same with a SIGKILLed process.)

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

describe('an export cut before its job was stored', () => {
  it.each([
    ['en', 'export', undefined],
    ['zh', '导出', 'zh-CN'],
  ] as const)(
    'is told after the restart (%s), with an Export button; nothing rendered',
    async (lang, word, locale) => {
      h = await harness();
      const chat = recordingChat();
      await h.engine.handle(inbound(chat, PROMPT, locale ? { locale } : {}), chat);
      // The export's state call never answers: the process stops while the export is being planned.
      h.fake.options.faults = [{ route: 'state', hangMs: 60_000 }];
      const exporting = h.engine.handle(inbound(chat, word, locale ? { locale } : {}), chat);
      await chat.waitFor(() => h.fake.count('state') >= 2);
      expect(await h.state.members('exports:intent')).toEqual([chat.address]);
      await h.engine.close();
      await exporting;
      expect(await h.state.members('jobs:pending')).toEqual([]);

      h.fake.options.faults = [];
      const chat2 = recordingChat();
      const second = h.restart();
      second.registerChats('term', () => chat2);
      await second.resume();
      await second.idle();
      const m = lang === 'zh' ? zh : en;
      expect(chat2.log).toEqual([{ kind: 'send', id: '1', text: m.exportInterrupted, buttons: ['export'] }]);
      expect(h.fake.count('render')).toBe(0);
      expect(await h.state.members('exports:intent')).toEqual([]);

      // Told once: a third start says nothing.
      const chat3 = recordingChat();
      const third = h.restart();
      third.registerChats('term', () => chat3);
      await third.resume();
      expect(chat3.log).toEqual([]);
    },
  );

  it('leaves nothing to tell once the export ran, was refused, or its job was stored', async () => {
    h = await harness({ fake: { renderPolls: 100_000 } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'export'), chat); // refused: nothing yet
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const exporting = h.engine.handle(inbound(chat, 'export'), chat);
    await chat.waitFor(() => h.fake.count('poll') >= 1);
    // The job is stored: the request is settled (the job itself resumes).
    expect(await h.state.members('exports:intent')).toEqual([]);
    await h.engine.close();
    await exporting;

    h.fake.options.renderPolls = 1;
    const chat2 = recordingChat();
    const second = h.restart();
    second.registerChats('term', () => chat2);
    await second.resume();
    await second.idle();
    expect(chat2.texts()).not.toContain(en.exportInterrupted);
    expect(chat2.log.filter((p) => p.kind === 'video')).toHaveLength(1);
  });
});
