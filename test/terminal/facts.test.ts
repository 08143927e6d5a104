import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { humanLine, humanLog, parseLine } from '../../src/adapters/terminal/index.ts';

// What the terminal hands the core about a typed /upload (facts, never words), and how a log line looks on
// a person's screen.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'term-facts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const attachment = async (line: string) => {
  const p = await parseLine(line, dir);
  if (p.kind !== 'message') throw new Error('expected a message');
  return { a: p.message.attachments[0], text: p.message.text };
};

describe('/upload facts', () => {
  it('a directory is a directory, not a missing file', async () => {
    await mkdir(path.join(dir, 'clips'));
    expect((await attachment('/upload clips make a reel')).a).toEqual({ name: 'clips', directory: true });
  });

  it('an unquoted path with spaces: the path that exists is found for the hint', async () => {
    await writeFile(path.join(dir, 'my summer clip.mp4'), 'x');
    const { a, text } = await attachment('/upload my summer clip.mp4 make it short');
    expect(a).toEqual({ name: 'my', missing: true, spacedPath: 'my summer clip.mp4' });
    expect(text).toBe('summer clip.mp4 make it short');
    // Quoted, it is simply the file; missing without a near miss, no hint.
    expect((await attachment('/upload "my summer clip.mp4" go')).a).toMatchObject({
      name: 'my summer clip.mp4',
      size: 1,
    });
    expect((await attachment('/upload nothing here at all')).a).toEqual({ name: 'nothing', missing: true });
  });

  it('any scheme:// link goes to the core as a link (it refuses what is not http(s))', async () => {
    expect((await attachment('/upload ftp://files.example.com/clip.mp4')).a).toMatchObject({
      name: 'clip.mp4',
      url: 'ftp://files.example.com/clip.mp4',
    });
    expect((await attachment('/upload https://')).a).toEqual({ name: 'https://', url: 'https://' });
  });
});

describe('logs on a TTY', () => {
  it('warnings and errors become one short line; info and debug are dropped', () => {
    const line = (o: object) => humanLine(JSON.stringify(o));
    expect(line({ level: 40, msg: 'chat send failed', err: { code: 'ECONNRESET' } })).toBe(
      '⚠ chat send failed (ECONNRESET)',
    );
    expect(line({ level: 50, msg: 'NEMO_TOKEN was rejected', code: 'token_invalid' })).toBe(
      '✖ NEMO_TOKEN was rejected (token_invalid)',
    );
    expect(line({ level: 30, msg: 'session created' })).toBeUndefined();
    expect(line({ level: 40, msg: 'x'.repeat(500) })?.length).toBe(200);
  });

  it('goes to the attached screen, split JSON lines included; to stderr before that', () => {
    const stderr: string[] = [];
    const screen: string[] = [];
    const log = humanLog({ write: (s: string) => void stderr.push(s) } as unknown as NodeJS.WritableStream);
    log.stream.write('{"level":40,"msg":"early"}\n');
    log.attach((l) => screen.push(l));
    log.stream.write('{"level":50,"ms');
    log.stream.write('g":"split"}\n{"level":30,"msg":"quiet"}\n');
    expect(stderr).toEqual(['⚠ early\n']);
    expect(screen).toEqual(['✖ split']);
  });
});
