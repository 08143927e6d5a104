// A file is checked by its content before any byte reaches NemoVideo: the first bytes of its stream go to
// file-type (magic numbers), then the same stream goes on — those bytes first — so nothing is buffered
// beyond the sample and nothing is read twice. An extension says what a file claims to be; this says what it is.

import { fileTypeFromBuffer } from 'file-type';
import type { MediaKind } from '../i18n/index.ts';
import type { SupportedFormat } from '../nemo/formats.ts';

/** file-type's own sample size: enough for every format NemoVideo takes. */
export const SNIFF_BYTES = 4100;

const KIND: Readonly<Record<SupportedFormat, MediaKind>> = {
  mp4: 'video',
  mov: 'video',
  avi: 'video',
  webm: 'video',
  mkv: 'video',
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  mp3: 'audio',
  wav: 'audio',
  m4a: 'audio',
  aac: 'audio',
};

/** file-type's names for the formats NemoVideo takes (an animated PNG is a PNG, an M4V an MP4). */
const DETECTED: Readonly<Record<string, SupportedFormat>> = {
  ...Object.fromEntries(Object.keys(KIND).map((f) => [f, f as SupportedFormat])),
  apng: 'png',
  m4v: 'mp4',
};

/**
 * One container, several names: an MP4, a MOV and an M4A are all ISO media files (phones name audio-only
 * ones either way), WebM is Matroska. Within a container the name is not held against the content.
 */
const CONTAINER: Readonly<Partial<Record<SupportedFormat, string>>> = {
  mp4: 'iso',
  mov: 'iso',
  m4a: 'iso',
  webm: 'matroska',
  mkv: 'matroska',
};

export type SniffVerdict =
  | { ok: true; stream: ReadableStream<Uint8Array>; detected: SupportedFormat }
  | { ok: false; why: 'empty' }
  /** `content`: what file-type saw (`exe`, `pdf`), or undefined when it knows no such content. */
  | { ok: false; why: 'not_media'; content: string | undefined }
  | { ok: false; why: 'mismatch'; named: MediaKind; content: string };

/** Whether content of format `detected` may travel under a name that says `named`. */
export function matches(named: SupportedFormat, detected: SupportedFormat): boolean {
  if (KIND[named] === KIND[detected]) return true;
  const c = CONTAINER[named];
  return c !== undefined && c === CONTAINER[detected];
}

/**
 * Reads the first bytes of `source` and judges them against the format its name claims. On success returns a
 * stream of the whole file (the sample, then the rest of `source`); otherwise cancels `source`.
 */
export async function sniff(
  source: ReadableStream<Uint8Array>,
  named: SupportedFormat,
): Promise<SniffVerdict> {
  const reader = source.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  try {
    while (size < SNIFF_BYTES) {
      const r = await reader.read();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      size += r.value.length;
    }
  } catch (e) {
    reader.releaseLock();
    throw e;
  }
  const refuse = async (v: Exclude<SniffVerdict, { ok: true }>): Promise<SniffVerdict> => {
    // Release the source (a download, an open file) before telling: nothing more is read from it.
    await reader.cancel().catch(() => {});
    return v;
  };
  if (size === 0) return refuse({ ok: false, why: 'empty' });
  const type = await fileTypeFromBuffer(Buffer.concat(head));
  const detected = type ? DETECTED[type.ext] : undefined;
  if (!detected) return refuse({ ok: false, why: 'not_media', content: type?.ext });
  if (!matches(named, detected))
    return refuse({ ok: false, why: 'mismatch', named: KIND[named], content: type!.ext });

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const sampled = head.shift();
      if (sampled) {
        controller.enqueue(sampled);
        return;
      }
      if (ended) return controller.close();
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { ok: true, stream, detected };
}
