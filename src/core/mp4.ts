import { open } from 'node:fs/promises';

// Width, height and duration of an MP4 (a render the core downloaded; Telegram's sendVideo hints), read from its `moov` box only (ISO/IEC 14496-12): `mvhd` gives the
// duration, the video track's `tkhd` its display size. A few hundred lines of a library (mp4box is ~1 MB and
// parses everything) would buy nothing here: three boxes, read with positioned reads, never the media data.
// Anything unexpected gives undefined: the video is then sent without these hints, never refused.

export interface Mp4Info {
  width?: number;
  height?: number;
  durationSec?: number;
}

/** At most this much of a `moov` is read (real ones are a few KB to a few MB for hours of video). */
const MAX_MOOV = 16 * 1024 * 1024;
const CONTAINERS = new Set(['moov', 'trak', 'mdia']);

interface Box {
  type: string;
  start: number;
  size: number;
  header: number;
}

/** Top-level boxes of the file, until `moov` (it may come after `mdat`: positioned reads skip the media). */
async function findMoov(
  fh: import('node:fs/promises').FileHandle,
  fileSize: number,
): Promise<Box | undefined> {
  const head = Buffer.alloc(16);
  for (let pos = 0; pos + 8 <= fileSize; ) {
    const { bytesRead } = await fh.read(head, 0, 16, pos);
    if (bytesRead < 8) return undefined;
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    let header = 8;
    if (size === 1) {
      if (bytesRead < 16) return undefined;
      size = Number(head.readBigUInt64BE(8));
      header = 16;
    } else if (size === 0) size = fileSize - pos;
    if (size < header) return undefined;
    if (type === 'moov') return { type, start: pos, size, header };
    pos += size;
  }
  return undefined;
}

function* children(buf: Buffer, from: number, to: number): Generator<Box> {
  for (let pos = from; pos + 8 <= to; ) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1 && pos + 16 <= to) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) size = to - pos;
    if (size < header || pos + size > to) return;
    yield { type, start: pos, size, header };
    pos += size;
  }
}

/** Parses a `moov` box held in `buf` (tests feed it directly). */
export function parseMoov(buf: Buffer): Mp4Info {
  const info: Mp4Info = {};
  const walk = (from: number, to: number, track: { handler?: string; w?: number; h?: number }) => {
    for (const box of children(buf, from, to)) {
      const body = box.start + box.header;
      if (box.type === 'mvhd') {
        const version = buf.readUInt8(body);
        const timescale = buf.readUInt32BE(body + (version === 1 ? 20 : 12));
        const duration = version === 1 ? Number(buf.readBigUInt64BE(body + 24)) : buf.readUInt32BE(body + 16);
        if (timescale > 0 && duration > 0 && duration !== 0xffffffff) info.durationSec = duration / timescale;
      } else if (box.type === 'tkhd') {
        const version = buf.readUInt8(body);
        // width and height are the last 8 bytes of tkhd, 16.16 fixed point.
        const end = box.start + box.size;
        if (end - 8 >= body + (version === 1 ? 84 : 72)) {
          track.w = buf.readUInt32BE(end - 8) / 65536;
          track.h = buf.readUInt32BE(end - 4) / 65536;
        }
      } else if (box.type === 'hdlr') {
        track.handler = buf.toString('latin1', body + 8, body + 12);
      } else if (box.type === 'trak') {
        const t: { handler?: string; w?: number; h?: number } = {};
        walk(body, box.start + box.size, t);
        if (t.handler === 'vide' && t.w && t.h && info.width === undefined) {
          info.width = Math.round(t.w);
          info.height = Math.round(t.h);
        }
      } else if (CONTAINERS.has(box.type)) {
        walk(body, box.start + box.size, track);
      }
    }
  };
  try {
    walk(0, buf.length, {});
  } catch {
    // A truncated box: keep what was read.
  }
  return info;
}

/** Reads the MP4 at `path`: {} when it is not one, or its header cannot be read. */
export async function readMp4Info(path: string): Promise<Mp4Info> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return {};
  try {
    const { size } = await fh.stat();
    const moov = await findMoov(fh, size);
    if (!moov || moov.size > MAX_MOOV) return {};
    const buf = Buffer.alloc(moov.size);
    await fh.read(buf, 0, moov.size, moov.start);
    return parseMoov(buf);
  } catch {
    return {};
  } finally {
    await fh.close();
  }
}
