// The served MP4: a real 1-second 320x568 H.264 + silent AAC file (made once with ffmpeg, committed), optionally
// grown with a trailing ISO-BMFF `free` box so size limits can be tested with a still-valid MP4.
import { readFileSync } from 'node:fs';

export const SAMPLE_MP4: Buffer = readFileSync(new URL('./sample.mp4', import.meta.url));
export const SAMPLE_META = { duration: 1, width: 320, height: 568, fps: 15 } as const;

/** Returns a function giving the MP4 padded to `padTo` bytes; the padded buffer is built lazily and cached. */
export function mp4Cache(): (padTo: number) => Buffer {
  let cached: { padTo: number; buf: Buffer } | undefined;
  return (padTo) => {
    // A box needs at least its 8-byte header; below that the bare sample is served.
    if (padTo < SAMPLE_MP4.length + 8) return SAMPLE_MP4;
    if (cached?.padTo === padTo) return cached.buf;
    if (padTo > 0xffff_ffff) throw new Error('mp4PadTo too large for a 32-bit box size');
    const buf = Buffer.alloc(padTo); // zero-filled by calloc: fast even for tens of MB
    SAMPLE_MP4.copy(buf, 0);
    buf.writeUInt32BE(padTo - SAMPLE_MP4.length, SAMPLE_MP4.length);
    buf.write('free', SAMPLE_MP4.length + 4, 'latin1');
    cached = { padTo, buf };
    return buf;
  };
}
