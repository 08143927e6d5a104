import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buttonHint,
  createTerminalPort,
  mimeFromName,
  parseLine,
  startTerminal,
} from '../../src/adapters/terminal/index.ts';
import { plainScreen } from '../../src/adapters/terminal/screen.ts';
import { parseConfig } from '../../src/config.ts';
import type { ChatPort, ChatResolver, Engine, InboundMessage } from '../../src/core/ports.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { harness } from '../core/engine-harness.ts';

// The terminal adapter alone, against a small recording Engine (our own port, not a library).

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'term-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect(stream: PassThrough): () => string {
  let out = '';
  stream.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  return () => out;
}

describe('parseLine', () => {
  it('skips blank lines and passes text through untouched', async () => {
    expect(await parseLine('   ')).toEqual({ kind: 'empty' });
    const p = await parseLine('make a promo\r');
    expect(p.kind === 'message' && p.message).toMatchObject({
      address: 'term:local',
      platform: 'terminal',
      text: 'make a promo',
      attachments: [],
      sender: { id: 'local' },
    });
    expect(p.kind === 'message' && p.message.sender.locale).toBeUndefined();
    expect(p.kind === 'message' && (await p.message.sender.isAdmin())).toBe(true);
  });

  it('turns /upload <local file> [instruction] into a streamed attachment with size and MIME type', async () => {
    const file = path.join(dir, 'my clip.MOV');
    await writeFile(file, Buffer.from('0123456789'));
    const p = await parseLine(`/upload "${file}" cut it to 5 seconds`);
    if (p.kind !== 'message') throw new Error(`expected a message, got ${p.kind}`);
    expect(p.message.text).toBe('cut it to 5 seconds');
    const [a] = p.message.attachments;
    expect(a).toMatchObject({ name: 'my clip.MOV', size: 10, mimeType: 'video/quicktime' });
    expect(a?.url).toBeUndefined();
    const stream = await a!.open!(new AbortController().signal);
    const chunks: Uint8Array[] = [];
    for await (const c of stream as AsyncIterable<Uint8Array>) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    expect(bytes.toString()).toBe('0123456789');
  });

  it('takes a URL with a malformed escape without crashing', async () => {
    const p = await parseLine('/upload https://x.example/clip%zz.mp4 make it short');
    expect(p.kind === 'message' && p.message.attachments[0]).toMatchObject({
      name: 'clip%zz.mp4',
      url: 'https://x.example/clip%zz.mp4',
      mimeType: 'video/mp4',
    });
  });

  it('resolves a relative path against the working directory', async () => {
    await writeFile(path.join(dir, 'a.png'), 'x');
    const p = await parseLine('/upload a.png', dir);
    expect(p.kind === 'message' && p.message.attachments[0]).toMatchObject({
      name: 'a.png',
      mimeType: 'image/png',
    });
    expect(p.kind === 'message' && p.message.text).toBe('');
  });

  it('turns /upload <https URL> into a URL attachment', async () => {
    const p = await parseLine('/upload https://cdn.example.com/media/shop%20photo.jpg make it vertical');
    if (p.kind !== 'message') throw new Error('expected a message');
    expect(p.message.attachments).toEqual([
      {
        name: 'shop photo.jpg',
        url: 'https://cdn.example.com/media/shop%20photo.jpg',
        mimeType: 'image/jpeg',
      },
    ]);
    expect(p.message.text).toBe('make it vertical');
  });

  it('passes a missing file to the core as a fact (the core words it)', async () => {
    const p = await parseLine(`/upload ${dir}/nope.mp4 加字幕`);
    expect(p.kind === 'message' && p.message).toMatchObject({
      text: '加字幕',
      attachments: [{ name: `${dir}/nope.mp4`, missing: true }],
    });
  });

  it('leaves a bare /upload to the core (it explains how)', async () => {
    const p = await parseLine('/upload');
    expect(p.kind === 'message' && p.message).toMatchObject({ text: '/upload', attachments: [] });
  });

  it('knows the MIME types of the supported formats only', () => {
    expect(mimeFromName('x.mp4')).toBe('video/mp4');
    expect(mimeFromName('x.M4A')).toBe('audio/mp4');
    expect(mimeFromName('x.exe')).toBeUndefined();
  });
});

describe('the terminal ChatPort', () => {
  function port() {
    const out = new PassThrough();
    const read = collect(out);
    const chat = createTerminalPort({
      address: 'term:local',
      screen: plainScreen(out),
      exportDir: path.join(dir, 'exports'),
    });
    return { chat, read };
  }

  it('renders buttons as a hint line, in the language the core chose', () => {
    expect(buttonHint(['export', 'status', 'credits'], 'en')).toBe(
      '[Export] [Status] [Credits] — type export, status or credits',
    );
    expect(buttonHint(['export'], 'zh')).toBe('[导出] — 输入 导出');
    expect(buttonHint(['export', 'status', 'credits'], 'zh')).toBe(
      '[导出] [状态] [积分] — 输入 导出、状态 或 积分',
    );
  });

  it('prints sends as lines and an edit only when the text changed', async () => {
    const { chat, read } = port();
    const ref = await chat.send({ text: 'Rendering… 0%' });
    await chat.edit(ref, { text: 'Rendering… 0%' });
    await chat.edit(ref, { text: 'Rendering… 50%' });
    await chat.edit(ref, { text: 'Rendering… 50%' });
    await chat.send({ text: 'Done.', buttons: ['status'] });
    expect(read()).toBe('Rendering… 0%\nRendering… 50%\nDone.\n[Status] — type status\n');
    expect(chat.videoLimitBytes).toBe(Number.POSITIVE_INFINITY);
  });

  it('copies a video from elsewhere into EXPORT_DIR and prints its absolute path and size', async () => {
    const { chat, read } = port();
    const src = path.join(dir, 'render_1.mp4');
    await writeFile(src, Buffer.alloc(3 * 1024 * 1024, 1));
    await chat.sendVideo({
      url: 'https://x/render_1.mp4',
      path: src,
      size: 3 * 1024 * 1024,
      linkText: 'unused: there is a file',
    });
    const saved = path.join(dir, 'exports', 'render_1.mp4');
    expect(read()).toBe(`Saved: ${saved} (3.00 MB)\n`);
    expect((await readFile(saved)).length).toBe(3 * 1024 * 1024);
  });

  it('keeps a video already under EXPORT_DIR and prints the URL when there is no file', async () => {
    const { chat, read } = port();
    const exports = path.join(dir, 'exports');
    await import('node:fs/promises').then((fs) => fs.mkdir(exports));
    await writeFile(path.join(exports, 'r.mp4'), 'abc');
    await chat.sendVideo({
      url: 'https://x/r.mp4',
      path: path.join(exports, 'r.mp4'),
      caption: 'Here it is',
      linkText: 'unused: there is a file',
    });
    await chat.sendVideo({ url: 'https://cdn.example.com/r2.mp4', caption: 'unused', linkText: 'The link:' });
    expect(read()).toBe(
      `Here it is\nSaved: ${path.join(exports, 'r.mp4')} (0.0000029 MB)\nThe link:\nhttps://cdn.example.com/r2.mp4\n`,
    );
  });
});

/** A recording Engine: each handle takes `delay` ms; idle waits for everything started. */
function recordingEngine(delay = 20) {
  const log: string[] = [];
  const running = new Set<Promise<void>>();
  let resolver: ChatResolver | undefined;
  let lastLineDone = () => {};
  const lastLine = new Promise<void>((r) => {
    lastLineDone = r;
  });
  const engine: Engine = {
    handle(message: InboundMessage, chat: ChatPort) {
      log.push(`start ${message.text}`);
      const p = new Promise<void>((r) => setTimeout(r, delay)).then(async () => {
        await chat.send({ text: `echo ${message.text}` });
        log.push(`end ${message.text}`);
        if (message.text === 'export') lastLineDone();
      });
      running.add(p);
      return p.finally(() => running.delete(p));
    },
    registerChats(prefix, r) {
      log.push(`register ${prefix}`);
      resolver = r;
    },
    async resume() {
      log.push('resume');
      // A resumed export that finishes after the script's last line: idle() must cover it.
      const p = lastLine.then(async () => {
        await resolver?.('term:local')?.send({ text: 'resumed job done' });
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    working: () => (running.size > 0 ? 'turn' : undefined),
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
    async close() {},
  };
  return { engine, log };
}

describe('startTerminal (script mode)', () => {
  const config = parseConfig({});
  const logger = createLogger({ level: 'silent', secrets: new Secrets() });

  it('handles each line to the end before reading the next, then waits for idle at EOF', async () => {
    const { engine, log } = recordingEngine();
    const out = new PassThrough();
    const read = collect(out);
    await startTerminal({
      engine,
      input: Readable.from(['make a promo\nstat', 'us\n\nexport']),
      output: out,
      config: { ...config, EXPORT_DIR: dir },
      logger,
      interactive: false,
      ready: () => engine.resume(),
    });
    expect(log).toEqual([
      'register term',
      'resume',
      'start make a promo',
      'end make a promo',
      'start status',
      'end status',
      'start export',
      'end export',
    ]);
    expect(read()).toBe('echo make a promo\necho status\necho export\nresumed job done\n');
  });

  it('stops reading at once when the signal aborts', async () => {
    const { engine, log } = recordingEngine(10_000);
    const input = new PassThrough();
    const abort = new AbortController();
    const done = startTerminal({
      engine,
      input,
      output: new PassThrough(),
      config,
      logger,
      interactive: false,
      signal: abort.signal,
    });
    input.write('first\n');
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    input.write('second\n');
    await done.catch(() => {});
    expect(log).toEqual(['register term', 'start first']);
  }, 2_000);
});

describe('the terminal with the real engine', () => {
  it('says "file not found" in the language /lang chose, not the adapter’s guess', async () => {
    const h = await harness();
    try {
      const out = new PassThrough();
      const read = collect(out);
      const script = `/upload ${dir}/nope.mp4 加字幕\n/lang zh\n/upload ${dir}/gone.mp4 make it short\n`;
      await startTerminal({
        engine: h.engine,
        input: Readable.from([script]),
        output: out,
        config: { ...h.config, EXPORT_DIR: dir },
        logger: createLogger({ level: 'silent', secrets: new Secrets() }),
        interactive: false,
      });
      const lines = read().trim().split('\n');
      // Before /lang the Chinese line gets Chinese; after /lang zh an English line does too.
      expect(lines[0]).toBe(zh.fileNotFound(`${dir}/nope.mp4`));
      expect(lines.at(-1)).toBe(zh.fileNotFound(`${dir}/gone.mp4`));
      expect(h.fake.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
