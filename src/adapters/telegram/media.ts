import { createReadStream } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Readable } from 'node:stream';
import type { Api } from 'grammy';
import type { Attachment } from '../../core/ports.ts';
import type { Secrets } from '../../secrets.ts';
import type { FileRef } from './decode.ts';

// Attachments backed by Telegram files. Bytes are fetched only when the core calls `open`, and streamed: the
// file URL holds the bot token, so it is registered as a secret and never leaves this file (no `url`).

const MB = 1024 * 1024;

/** grammY types its signals with the abort-controller shim; Node's own AbortSignal is what it uses at run time. */
export type GrammySignal = Parameters<Api['getFile']>[1];

/** getFile serves at most 20 MB from the cloud Bot API; a local Bot API server serves up to 2000 MB. */
export const downloadLimit = (local: boolean) => (local ? 2000 : 20) * MB;
/** Bots upload at most 50 MB to the cloud Bot API; 2000 MB through a local server. */
export const uploadLimit = (local: boolean) => (local ? 2000 : 50) * MB;

export interface MediaDeps {
  api: Api;
  token: string;
  apiRoot: string;
  local: boolean;
  secrets: Secrets;
}

export class TelegramFileError extends Error {
  override name = 'TelegramFileError';
  readonly code = 'tg_download';
}

export function toAttachment(ref: FileRef, deps: MediaDeps): Attachment {
  return {
    name: ref.name,
    ...(ref.mimeType ? { mimeType: ref.mimeType } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
    // The core refuses a larger file before anything calls `open` (getFile would refuse it anyway).
    limitBytes: downloadLimit(deps.local),
    open: (signal) => openFile(ref.fileId, deps, signal),
  };
}

async function openFile(
  fileId: string,
  deps: MediaDeps,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const file = await deps.api.getFile(fileId, signal as GrammySignal);
  const path = file.file_path;
  if (!path) throw new TelegramFileError('Telegram returned no file path');
  // A local Bot API server (--local) answers with a path on its own disk instead of serving the bytes.
  if (deps.local && isAbsolute(path)) {
    return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  }
  const url = `${deps.apiRoot.replace(/\/+$/, '')}/file/bot${deps.token}/${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    // The fetch error may carry the URL in its cause: keep only the message.
    throw new TelegramFileError(`Telegram file download failed: ${(err as Error).name}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new TelegramFileError(`Telegram file download failed (HTTP ${res.status})`);
  }
  return res.body;
}
