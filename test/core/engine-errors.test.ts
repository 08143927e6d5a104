import { afterEach, describe, expect, it } from 'vitest';
import { formatList } from '../../src/core/errors.ts';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import type { FakeRoute, InjectedFault } from '../fakes/nemo/types.ts';
import { tinyJpeg } from '../fakes/telegram/jpeg.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// Backend failures, end to end: the fake answers with a fault, the user reads one clear message in their
// language, and no token ever reaches the chat.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT_EN = 'make a 30-second promo for my candle shop';
const PROMPT_ZH = '给我的蜡烛店做一个30秒的宣传视频';

interface Case {
  name: string;
  fault?: InjectedFault;
  renderFails?: boolean;
  /** What the user sends after the setup prompt (when `setup`), else the first prompt. */
  say?: 'prompt' | 'credits' | 'export';
  setup?: boolean;
  expectEn: RegExp;
  expectZh: RegExp;
  /** Token trouble goes to the sender alone; rate limits only where that is free (ephemeral). */
  audience?: 'private' | 'ephemeral';
}

const f = (route: FakeRoute, x: Omit<InjectedFault, 'route'>): InjectedFault => ({ route, times: 99, ...x });

const CASES: Case[] = [
  {
    name: '2001 no credits',
    fault: f('chat', { code: 2001 }),
    expectEn: /register\?bind=/,
    expectZh: /register\?bind=/,
  },
  { name: '4001 on upload', fault: f('upload', { code: 4001 }), expectEn: /mp4, mov/, expectZh: /mp4, mov/ },
  {
    name: '4002 on upload',
    fault: f('upload', { code: 4002 }),
    expectEn: /200 MB.*[Cc]ompress/,
    expectZh: /200 MB.*压缩/,
  },
  {
    name: '402 export blocked',
    fault: f('render', { status: 402 }),
    say: 'export',
    setup: true,
    expectEn: /upgrade your plan/,
    expectZh: /升级套餐/,
  },
  {
    name: '429 rate limited',
    fault: f('credits', { status: 429 }),
    say: 'credits',
    expectEn: /try again in a minute/,
    expectZh: /一分钟后/,
    audience: 'ephemeral',
  },
  {
    name: '429 on the token endpoint',
    fault: f('token', { status: 429 }),
    expectEn: /trial limit.*NEMO_TOKEN/,
    expectZh: /试用.*NEMO_TOKEN/,
    audience: 'ephemeral',
  },
  {
    name: '500 backend',
    fault: f('session', { status: 500 }),
    expectEn: /couldn’t do that/,
    expectZh: /暂时无法/,
  },
  {
    name: '400 client id',
    fault: f('token', { status: 400 }),
    expectEn: /trial sign-in/,
    expectZh: /试用登录/,
    audience: 'private',
  },
  {
    name: 'render failed',
    renderFails: true,
    say: 'export',
    setup: true,
    expectEn: /render failed/,
    expectZh: /渲染失败/,
  },
];

describe.each([
  ['en', PROMPT_EN],
  ['zh', PROMPT_ZH],
] as const)('errors in %s', (lang, prompt) => {
  it.each(CASES)('$name', async (c) => {
    h = await harness();
    const chat = recordingChat();
    if (c.setup) await h.engine.handle(inbound(chat, prompt), chat);
    if (c.fault) h.fake.options.faults = [c.fault];
    if (c.renderFails) h.fake.options.renderFails = true;
    const start = chat.log.length;
    const upload = c.fault?.route === 'upload';
    const msg =
      c.say === 'credits'
        ? inbound(chat, lang === 'en' ? 'credits' : '积分')
        : c.say === 'export'
          ? inbound(chat, lang === 'en' ? 'export' : '导出')
          : inbound(chat, upload ? '' : prompt, {
              ...(lang === 'zh' && { locale: 'zh-CN' }),
              ...(upload && {
                attachments: [{ name: 'clip.mp4', size: 10, url: 'https://cdn.example.com/clip.mp4' }],
              }),
            });
    await h.engine.handle(msg, chat);
    const said = chat.texts().slice(start).join('\n');
    expect(said).toMatch(lang === 'en' ? c.expectEn : c.expectZh);
    if (lang === 'zh') expect(said).toMatch(/\p{Script=Han}/u);
    const refusal = chat.log.slice(start).find((p) => (lang === 'en' ? c.expectEn : c.expectZh).test(p.text));
    expect(Boolean(refusal?.private)).toBe(c.audience === 'private');
    expect(refusal?.kind === 'private').toBe(c.audience === 'private');
    expect(Boolean(refusal?.ephemeral)).toBe(c.audience === 'ephemeral');
    for (const token of h.fake.issuedTokens) expect(said).not.toContain(token);
  });
});

describe('credits and tokens', () => {
  it('2001 for an anonymous chat links registration with its anon_ id', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, 'credits'), chat);
    h.fake.options.faults = [{ route: 'chat', code: 2001 }];
    await h.engine.handle(inbound(chat, PROMPT_EN), chat);
    const text = chat.texts().join('\n');
    const bind = /register\?bind=(anon_[\w-]+)/.exec(text)?.[1];
    expect(bind).toBeDefined();
    const record = (await h.store.get('chat:term:test')) as { userId?: string };
    expect(record.userId).toBe(bind);
  });

  it('with NEMO_TOKEN every chat uses the operator account, and 2001 says to tell the operator', async () => {
    const token = 'nmv_usr_operator_secret_0123456789';
    h = await harness({ env: { NEMO_TOKEN: token } });
    h.fake.options.operatorTokens = [token];
    const a = recordingChat('tg:1');
    const b = recordingChat('tg:2');
    await h.engine.handle(inbound(a, 'credits'), a);
    await h.engine.handle(inbound(b, PROMPT_EN), b);
    expect(h.fake.count('token')).toBe(0);
    expect(h.fake.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(a.texts()[0]).toMatch(/Credits: /);
    h.fake.options.faults = [{ route: 'chat', code: 2001 }];
    await h.engine.handle(inbound(a, PROMPT_EN), a);
    const text = a.texts().join('\n');
    expect(text).toContain(
      en.errors.no_credits({ operator: true, platform: 'terminal', formats: '', maxMb: 0 }),
    );
    expect(text).not.toContain('register?bind');
    for (const p of [...a.log, ...b.log]) expect(p.text).not.toContain(token);
  });

  it('shows available / frozen / total', async () => {
    h = await harness({ fake: { credits: { available: 4321, frozen: 7 } } });
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, '积分'), chat);
    expect(chat.texts()).toEqual([zh.credits({ available: 4321, frozen: 7, total: 4328 })]);
  });

  it('refuses an oversized or unsupported attachment before any byte moves', async () => {
    h = await harness({ env: { MAX_UPLOAD_MB: '1' } });
    const chat = recordingChat();
    let opened = false;
    const open = async () => {
      opened = true;
      return new ReadableStream<Uint8Array>();
    };
    await h.engine.handle(
      inbound(chat, 'use this', { attachments: [{ name: 'big.mp4', size: 2 * 1024 * 1024, open }] }),
      chat,
    );
    await h.engine.handle(inbound(chat, '', { attachments: [{ name: 'notes.pdf', size: 10, open }] }), chat);
    expect(chat.texts()).toEqual([
      en.attachmentTooLarge('big.mp4', 1),
      en.attachmentUnsupported('notes.pdf', formatList()),
    ]);
    expect(opened).toBe(false);
    expect(h.fake.count('upload')).toBe(0);
    expect(h.fake.count('session')).toBe(0);
  });

  it('uploads a streamed file, then sends the text', async () => {
    h = await harness();
    const chat = recordingChat();
    const bytes = tinyJpeg();
    const open = async () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes);
          c.close();
        },
      });
    await h.engine.handle(
      inbound(chat, 'turn this photo into a promo', {
        attachments: [{ name: 'photo.jpg', mimeType: 'image/jpeg', size: bytes.length, open }],
      }),
      chat,
    );
    expect(h.fake.uploads.map((u) => Buffer.compare(u.bytes, bytes))).toEqual([0]);
    expect(chat.texts()).toContain(en.uploaded('photo.jpg'));
    expect(h.fake.chats.map((c) => c.text)).toEqual(['turn this photo into a promo']);
  });

  it('1002 on an upload: a new session, the file uploaded there, then the text', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT_EN), chat);
    h.fake.options.faults = [{ route: 'upload', code: 1002 }];
    const url = 'https://cdn.example.com/logo.png';
    await h.engine.handle(inbound(chat, 'add this logo', { attachments: [{ name: 'logo.png', url }] }), chat);
    expect(chat.texts()).toContain(en.newSession);
    expect(h.fake.count('session')).toBe(2);
    expect(h.fake.count('upload')).toBe(2);
    expect(h.fake.chats.map((c) => c.text)).toEqual([PROMPT_EN, 'add this logo']);
  });

  it('1002 on status: a new session is started, the user told, and the status answered there', async () => {
    h = await harness();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT_EN), chat);
    const start = chat.log.length;
    h.fake.options.faults = [{ route: 'state', code: 1002 }];
    await h.engine.handle(inbound(chat, 'status'), chat);
    // Before: "send your request again". The refused check never reached anything: it runs again, once.
    expect(chat.texts().slice(start)).toEqual([en.newSession, en.nothingYet]);
    expect(h.fake.count('session')).toBe(2);
    await h.engine.handle(inbound(chat, 'add a title "Back"'), chat);
    // The next prompt goes to the new session: no third one, no "Connecting…" again.
    expect(h.fake.count('session')).toBe(2);
    expect(chat.texts().filter((t) => t === en.connecting)).toHaveLength(1);
    const sessions = new Set(h.fake.chats.map((c) => c.sessionId));
    expect(sessions.size).toBe(2);
  });

  it.each([
    ['credits', 'credits', /^💳 Credits: /],
    ['an export', 'export', new RegExp(`^${en.nothingToExport}$`)],
    ['/open', 'open', /^🔗 /],
  ])(
    '1002 on %s: run again in a new session, the user told the old project was not found',
    async (_n, what, answer) => {
      h = await harness();
      const chat = recordingChat();
      await h.engine.handle(inbound(chat, PROMPT_EN), chat);
      const route = what === 'credits' ? 'credits' : what === 'open' ? 'claim' : 'state';
      h.fake.options.faults = [{ route, code: 1002 }];
      const start = chat.log.length;
      const msg = what === 'open' ? inbound(chat, '', { command: 'open' }) : inbound(chat, what);
      await h.engine.handle(msg, chat);
      const said = chat.texts().slice(start);
      expect(said[0]).toBe(en.newSession);
      expect(said.at(-1)).toMatch(answer);
      expect(said.join('\n')).not.toContain('Send your request again');
      expect(h.fake.count('session')).toBe(2);
      expect(h.fake.count('render')).toBe(0);
    },
  );
});
