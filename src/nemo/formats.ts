// The file formats NemoVideo takes, by extension and by MIME type: one table for the client's pre-upload
// check, the core's refusal message and the adapters' early checks, so no layer refuses what another passed.

import { SUPPORTED_FORMATS } from './types.ts';

export type SupportedFormat = (typeof SUPPORTED_FORMATS)[number];

export const MIME_BY_FORMAT: Readonly<Record<SupportedFormat, string>> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
};

/** MIME type → format, with the aliases platforms actually send. */
export const FORMAT_BY_MIME: Readonly<Record<string, SupportedFormat>> = {
  ...Object.fromEntries(Object.entries(MIME_BY_FORMAT).map(([f, m]) => [m, f as SupportedFormat])),
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'video/avi': 'avi',
  'audio/mp3': 'mp3',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-m4a': 'm4a',
  'audio/x-aac': 'aac',
};

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_FORMATS);

export function extensionOf(name: string): string | undefined {
  return /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
}

/** Its supported extension, else the format its MIME type names, else undefined (not supported). */
export function formatOf(file: { name: string; mimeType?: string | undefined }): SupportedFormat | undefined {
  const ext = extensionOf(file.name);
  if (ext && SUPPORTED.has(ext)) return ext as SupportedFormat;
  const mime = file.mimeType?.split(';')[0]?.trim().toLowerCase();
  return mime ? FORMAT_BY_MIME[mime] : undefined;
}

/** The MIME type of a file name by its extension; undefined for formats NemoVideo does not take. */
export function mimeOf(name: string): string | undefined {
  const ext = extensionOf(name);
  return ext && SUPPORTED.has(ext) ? MIME_BY_FORMAT[ext as SupportedFormat] : undefined;
}
