import { describe, expect, it } from 'vitest';
import { matches, SNIFF_BYTES, sniff } from '../../src/core/sniff.ts';
import { SAMPLE_MP4, tinyJpeg, tinyPng, windowsExe } from '../fakes/media.ts';

// The content check reads only the first bytes of the attachment's own stream, then hands on the very same
// stream (the sample first): nothing is read twice, nothing beyond the sample is held.

/** A stream of `bytes` in `chunk`-sized pieces that records how far it was read and whether it was cancelled. */
function source(bytes: Buffer, chunk: number) {
  const seen = { pulled: 0, cancelled: false };
  let at = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (at >= bytes.length) return c.close();
        const piece = bytes.subarray(at, at + chunk);
        at += piece.length;
        seen.pulled = at;
        c.enqueue(new Uint8Array(piece));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

const read = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());

describe('sniff', () => {
  it('passes the whole file on, even when the first chunks are tiny (a slow network)', async () => {
    const big = Buffer.concat([SAMPLE_MP4, Buffer.alloc(3 * SNIFF_BYTES, 7)]);
    const { stream, seen } = source(big, 3);
    const v = await sniff(stream, 'mp4');
    expect(v).toMatchObject({ ok: true, detected: 'mp4' });
    // Only the sample was read before the consumer asked for more.
    expect(seen.pulled).toBeGreaterThanOrEqual(SNIFF_BYTES);
    expect(seen.pulled).toBeLessThan(SNIFF_BYTES + 3);
    if (!v.ok) return;
    expect((await read(v.stream)).equals(big)).toBe(true);
  });

  it('a file shorter than the sample is judged and passed on whole', async () => {
    const png = tinyPng();
    const v = await sniff(source(png, 1000).stream, 'png');
    expect(v.ok && (await read(v.stream)).equals(png)).toBe(true);
  });

  it('refuses and cancels the source: empty, not media, the wrong kind', async () => {
    const empty = source(Buffer.alloc(0), 10);
    expect(await sniff(empty.stream, 'mp4')).toEqual({ ok: false, why: 'empty' });
    const exe = source(Buffer.concat([windowsExe(), Buffer.alloc(10 * SNIFF_BYTES)]), 512);
    expect(await sniff(exe.stream, 'png')).toEqual({ ok: false, why: 'not_media', content: 'exe' });
    expect(exe.seen.cancelled).toBe(true);
    expect(exe.seen.pulled).toBeLessThan(2 * SNIFF_BYTES);
    const jpeg = source(Buffer.concat([tinyJpeg(), Buffer.alloc(2 * SNIFF_BYTES)]), 100);
    expect(await sniff(jpeg.stream, 'mp4')).toEqual({
      ok: false,
      why: 'mismatch',
      named: 'video',
      content: 'jpg',
    });
    expect(jpeg.seen.cancelled).toBe(true);
  });

  it('a name and content of one kind, or one container, match', () => {
    expect(matches('jpg', 'png')).toBe(true);
    expect(matches('mp4', 'mov')).toBe(true);
    expect(matches('m4a', 'mp4')).toBe(true);
    expect(matches('webm', 'mkv')).toBe(true);
    expect(matches('mp3', 'wav')).toBe(true);
    expect(matches('png', 'mp4')).toBe(false);
    expect(matches('mp3', 'mp4')).toBe(false);
    expect(matches('mp4', 'gif')).toBe(false);
  });
});
