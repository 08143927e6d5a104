import type { IncomingMessage } from 'node:http';

/** Reads a whole (small) request body: the fakes' JSON and form bodies. */
export async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
