// SSE bytes of /run_sse: ADK events (camelCase, nulls omitted) or the older simplified events, with the
// heartbeat style, line ending and chunking the options ask for.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FakeNemoOptions } from './types.ts';

export const AUTHOR = 'nemo_agent';

/** One thing the agent says; rendered as ADK or simplified JSON by `SseWriter.event`. */
export type AgentEvent =
  | { kind: 'text'; text: string; partial?: boolean; thought?: boolean }
  | { kind: 'call'; id: string; name: string; args: Record<string, unknown> }
  | { kind: 'result'; id: string; name: string; response: Record<string, unknown> };

function adkActions(): Record<string, unknown> {
  return { stateDelta: {}, artifactDelta: {}, requestedAuthConfigs: {}, requestedToolConfirmations: {} };
}

export function adkJson(ev: AgentEvent, invocationId: string): Record<string, unknown> {
  let content: Record<string, unknown>;
  const extra: Record<string, unknown> = {};
  if (ev.kind === 'text') {
    content = { parts: [ev.thought ? { text: ev.text, thought: true } : { text: ev.text }], role: 'model' };
    if (ev.partial) extra.partial = true;
    else if (!ev.thought) {
      extra.usageMetadata = { candidatesTokenCount: 42, promptTokenCount: 1337, totalTokenCount: 1379 };
    }
  } else if (ev.kind === 'call') {
    content = { parts: [{ functionCall: { id: ev.id, args: ev.args, name: ev.name } }], role: 'model' };
  } else {
    content = {
      parts: [{ functionResponse: { id: ev.id, name: ev.name, response: ev.response } }],
      role: 'user',
    };
  }
  return {
    content,
    ...extra,
    invocationId,
    author: AUTHOR,
    actions: adkActions(),
    id: randomUUID(),
    timestamp: Date.now() / 1000,
  };
}

export function simplifiedJson(ev: AgentEvent): Record<string, unknown> | undefined {
  if (ev.kind === 'text') return ev.partial || ev.thought ? undefined : { type: 'text', content: ev.text };
  if (ev.kind === 'call') return { type: 'tool_call', name: ev.name, args: ev.args };
  return { type: 'tool_result', name: ev.name, result: ev.response };
}

/** Serialises writes (chunked with a setImmediate between chunks) so events never interleave. */
export class SseWriter {
  private chain: Promise<void> = Promise.resolve();
  private readonly le: string;
  private readonly chunkBytes: number;
  private readonly style: FakeNemoOptions['heartbeat'];
  private readonly simplified: boolean;
  readonly invocationId = `e-${randomUUID()}`;

  constructor(
    private readonly res: ServerResponse,
    opts: FakeNemoOptions,
  ) {
    this.le = opts.lineEnding;
    this.chunkBytes = Math.max(1, opts.chunkBytes);
    this.style = opts.heartbeat;
    this.simplified = opts.simplifiedEvents;
  }

  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  open(): void {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
  }

  /** Writes one event; resolves once its bytes are handed to the socket. False when nothing was written. */
  event(ev: AgentEvent): Promise<boolean> {
    const json = this.simplified ? simplifiedJson(ev) : adkJson(ev, this.invocationId);
    if (!json) return Promise.resolve(false);
    return this.raw(`data: ${JSON.stringify(json)}${this.le}${this.le}`).then(() => true);
  }

  heartbeat(): Promise<void> {
    const le = this.le;
    if (this.simplified || this.style === 'json') return this.raw(`data: {"type":"heartbeat"}${le}${le}`);
    if (this.style === 'comment') return this.raw(`: ping${le}${le}`);
    return this.raw(`data:${le}${le}`);
  }

  error(message: string): Promise<void> {
    return this.raw(`data: ${JSON.stringify({ error: message })}${this.le}${this.le}`);
  }

  raw(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.chain = this.chain.then(async () => {
      for (let i = 0; i < bytes.length; i += this.chunkBytes) {
        if (this.gone) return;
        if (i > 0) await new Promise<void>((r) => setImmediate(r));
        if (this.gone) return;
        const chunk = bytes.subarray(i, i + this.chunkBytes);
        // Waiting for the flush keeps a following destroy() from dropping these bytes.
        await new Promise<void>((r) => this.res.write(chunk, () => r()));
      }
    });
    return this.chain;
  }

  end(): Promise<void> {
    this.chain = this.chain.then(() => {
      if (!this.gone) this.res.end();
    });
    return this.chain;
  }

  /** After the queued bytes are flushed, kills the socket (a mid-stream disconnect). */
  destroy(): Promise<void> {
    this.chain = this.chain.then(() => {
      this.res.socket?.destroy();
      this.res.destroy();
    });
    return this.chain;
  }
}
