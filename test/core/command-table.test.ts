import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../src/core/ports.ts';
import { route } from '../../src/core/routing.ts';
import { COMMAND_TABLE, describeCommand, helpLines } from '../../src/i18n/commands.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// The one command table and what is made from it: names, routing, help, who may run what, and what waits.

describe('the command table', () => {
  it('is where COMMAND_NAMES come from', () => {
    expect(COMMAND_NAMES).toEqual(COMMAND_TABLE.map((c) => c.name));
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
  });

  it('routes every keyword phrase to its command, and bare names of keyword-less commands to the agent', () => {
    for (const c of COMMAND_TABLE) {
      if ('keywords' in c) {
        for (const phrase of [...c.keywords.en, ...c.keywords.zh])
          expect(route(phrase), phrase).toEqual({ kind: 'command', name: c.name });
      } else {
        expect(route(c.name), c.name).toEqual({ kind: 'agent', text: c.name });
        expect(route(c.zh), c.zh).toEqual({ kind: 'agent', text: c.zh });
      }
    }
  });

  it('routes every slash name and Chinese alias', () => {
    for (const c of COMMAND_TABLE) {
      expect(route(`/${c.name}`)).toEqual({ kind: 'command', name: c.name });
      expect(route(`/${c.zh}`)).toEqual({ kind: 'command', name: c.name });
    }
    expect(route('/语言 zh')).toEqual({ kind: 'command', name: 'lang', arg: 'zh' });
  });

  it('makes the help text: a line per command in each language', () => {
    const shown = COMMAND_TABLE.filter((c) => c.name !== 'start' && c.name !== 'help');
    for (const [m, lang] of [
      [en, 'en'],
      [zh, 'zh'],
    ] as const) {
      const help = m.help(m.helpExamples);
      for (const c of shown) expect(help).toContain(`— ${describeCommand(c, lang)}`);
      expect(helpLines(lang)).toHaveLength(shown.length);
    }
    expect(en.help([])).toContain('/lang en|zh — Reply language (chat admins)');
    expect(zh.help([])).toContain('/export 导出 — 渲染项目并发送 MP4');
  });
});

describe('the engine runs commands as the table says', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** A sender whose admin check counts the times it was asked. */
  function asking(admin: boolean) {
    let asked = 0;
    return {
      asked: () => asked,
      isAdmin: async () => {
        asked++;
        return admin;
      },
    };
  }

  it('asks whether the sender is an admin only for admin commands, and refuses a member', async () => {
    h = await harness();
    const chat = recordingChat();
    const member = asking(false);
    const say = async (text: string) => {
      const m = inbound(chat, text);
      m.sender.isAdmin = member.isAdmin;
      await h.engine.handle(m, chat);
      return chat.log.at(-1);
    };
    for (const c of COMMAND_TABLE.filter((c) => c.who === 'anyone' && c.runs === 'now'))
      await say(`/${c.name}`);
    await say('/lang');
    expect(member.asked()).toBe(0);
    for (const text of ['/reset', 'reset', '重置', '@NemoBot new project', '/lang zh', '/语言 中文']) {
      const last = await say(text);
      expect(last?.ephemeral, text).toBe(true);
      expect([en.adminOnly, zh.adminOnly], text).toContain(last?.text);
    }
    expect(member.asked()).toBe(6);
    expect(h.fake.chats).toHaveLength(0);
  });

  it('an admin resets by keyword; a failing admin check counts as "no"', async () => {
    h = await harness();
    const chat = recordingChat();
    const admin = inbound(chat, '重置');
    admin.sender.isAdmin = async () => true;
    await h.engine.handle(admin, chat);
    expect(chat.texts().at(-1)).toBe(zh.resetDone);
    const broken = inbound(chat, 'reset');
    broken.sender.isAdmin = async () => {
      throw new Error('platform unreachable');
    };
    await h.engine.handle(broken, chat);
    expect(chat.texts().at(-1)).toBe(en.adminOnly);
  });

  it('refuses a file at once, in the chat’s language, even while a turn runs (no queueing)', async () => {
    h = await harness({ fake: { generateMs: 300 } });
    const chat = recordingChat('tg:5');
    const turn = h.engine.handle(inbound(chat, 'make a 30-second promo for my candle shop'), chat);
    await chat.waitFor(() => h.fake.chats.length === 1);
    const big = inbound(chat, '把这个剪短', {
      locale: 'en',
      attachments: [
        {
          name: 'long.mp4',
          size: 25 * 1024 * 1024,
          limitBytes: 20 * 1024 * 1024,
          url: 'https://cdn.example.com/long.mp4',
        },
      ],
    });
    big.platform = 'telegram';
    await h.engine.handle(big, chat);
    const refusal = chat.log.at(-1);
    expect(refusal).toMatchObject({ ephemeral: true });
    expect(refusal?.text).toBe(
      zh.attachmentOverPlatformLimit('long.mp4', 25 * 1024 * 1024, 20 * 1024 * 1024, 'telegram'),
    );
    expect(chat.texts().some((t) => t.startsWith('⏳ Queued'))).toBe(false);
    await turn;
    expect(h.fake.count('upload')).toBe(0);
  });
});
