import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client, ClientOptions } from 'discord.js';
import type { Logger } from '../../secrets.ts';
import type { StatePort } from '../../store/state.ts';
import { verifyInteraction } from './verify.ts';

// Discord's HTTP interactions (the Interactions Endpoint URL of the Developer Portal): signed POSTs that any
// instance behind the load balancer can answer, so commands, buttons and modals need no gateway.
//
// A verified interaction goes through discord.js's own decoding (the code its gateway runs for
// INTERACTION_CREATE), so the same handlers, decoders and InteractionPort serve both paths and stay one copy.
// Their first response (defer, deferred update, a modal) is not sent to Discord's callback endpoint: the REST
// hook below turns it into the answer to Discord's POST, due within 3 s. Follow-ups then use the interaction's
// webhook (`/webhooks/<app>/<token>/messages/@original`) as on the gateway.

type MakeRequest = NonNullable<NonNullable<ClientOptions['rest']>['makeRequest']>;
type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Sends the interaction's first response (JSON text) as the answer to Discord's POST; undefined when it cannot
 * travel in an HTTP answer. Resolves once sent: a follow-up must not reach Discord before the deferral.
 */
export type Answer = (body: string | undefined) => Promise<void>;

const CALLBACK = /\/interactions\/(\d+)\/[^/]+\/callback$/;
const LATE_REMEMBERED = 500;

const apiError = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ message, code }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

export class CallbackBridge {
  readonly #waiting = new Map<string, Answer>();
  /** Interactions answered without their handler (too late): a callback now is what Discord would refuse. */
  readonly #late = new Set<string>();

  /** Wraps discord.js's request function: callbacks of interactions received over HTTP never leave. */
  wrap(make: MakeRequest): MakeRequest {
    const send = make as unknown as Fetch;
    return (async (url: string, init: RequestInit) => {
      const id = CALLBACK.exec(new URL(url).pathname)?.[1];
      if (id && this.#late.has(id)) return apiError(404, 10062, 'Unknown interaction');
      const answer = id ? this.#waiting.get(id) : undefined;
      if (!id || !answer) return send(url, init);
      this.#waiting.delete(id);
      // A first response with files, or one asking for the created message, needs Discord's callback
      // endpoint; the handlers defer first, so neither happens here.
      if (typeof init.body !== 'string' || new URL(url).searchParams.get('with_response') === 'true') {
        await answer(undefined);
        return apiError(400, 50035, 'this first response cannot be sent as an HTTP interaction answer');
      }
      await answer(init.body);
      return new Response(null, { status: 204 });
    }) as unknown as MakeRequest;
  }

  /** Hands the interaction's first response to `answer`; false when none came within `ms`. */
  expect(id: string, ms: number, answer: Answer): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        this.#late.add(id);
        if (this.#late.size > LATE_REMEMBERED) this.#late.delete(this.#late.values().next().value as string);
        resolve(false);
      }, ms);
      this.#waiting.set(id, (body) => {
        clearTimeout(timer);
        resolve(true);
        return answer(body);
      });
    });
  }
}

/** discord.js's internals used here: its interaction decoding and its guild cache. */
interface ClientInternals {
  actions: { InteractionCreate: { handle(data: unknown): void } };
  guilds: { cache: Map<string, unknown>; _add(data: { id: string }): unknown };
}

/**
 * Hands a raw interaction to discord.js as its gateway would. An instance without the gateway has no guilds
 * cached, and without its guild discord.js drops the interaction's channel — and with it which thread the
 * interaction came from (a thread is its own chat): a bare guild entry keeps it.
 */
export function dispatchRaw(client: Client, raw: { guild_id?: string }): void {
  const c = client as unknown as ClientInternals;
  if (raw.guild_id && !c.guilds.cache.has(raw.guild_id)) c.guilds._add({ id: raw.guild_id });
  c.actions.InteractionCreate.handle(raw);
}

export interface EndpointDeps {
  /** A client that never logs in: interactions are decoded on it, its REST posts their follow-ups. */
  client: Client;
  bridge: CallbackBridge;
  publicKey: KeyObject;
  state: StatePort;
  logger: Logger;
  /** How long a handler may take to acknowledge (Discord waits 3 s for the answer). */
  ackMs: number;
  now: () => number;
}

const MAX_BODY = 1024 * 1024;
/** An interaction id is taken once for this long (longer than a signed timestamp stays acceptable). */
const SEEN_TTL_MS = 15 * 60_000;

/** Resolves when the answer has left (or the connection is gone). */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  text = JSON.stringify(body),
): Promise<void> {
  return new Promise((resolve) => {
    res.once('close', () => resolve());
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text, () => resolve());
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export interface Endpoint {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** From now on 503: a stopping instance takes no new interaction (the load balancer sends it elsewhere). */
  close(): void;
}

export function interactionsEndpoint(deps: EndpointDeps): Endpoint {
  const { logger } = deps;
  let closed = false;

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    if (closed) return send(res, 503, { error: 'shutting down' });
    const body = await readBody(req);
    if (!body) return send(res, 413, { error: 'request too large' });
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const verdict = verifyInteraction(
      deps.publicKey,
      { signature: header('x-signature-ed25519'), timestamp: header('x-signature-timestamp'), body },
      deps.now(),
    );
    if (verdict !== 'ok') {
      logger.debug({ verdict }, 'discord interaction refused');
      return send(res, 401, { error: 'invalid request signature' });
    }
    let raw: { id?: unknown; type?: unknown; guild_id?: string };
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'not JSON' });
    }
    if (raw.type === 1) return send(res, 200, { type: 1 });
    if (typeof raw.id !== 'string' || !/^\d{1,20}$/.test(raw.id)) return send(res, 400, { error: 'no id' });
    // A signed request replayed within the timestamp window would run a paid turn again: each interaction
    // is served once, by whichever instance got it first.
    if (!(await deps.state.setIfAbsent(`discord:interaction:${raw.id}`, 1, SEEN_TTL_MS))) {
      logger.warn({ interaction: raw.id }, 'discord interaction received twice; the second is refused');
      return send(res, 409, { error: 'already received' });
    }
    const answered = deps.bridge.expect(raw.id, deps.ackMs, (answer) =>
      answer === undefined ? send(res, 500, { error: 'no answer' }) : send(res, 200, undefined, answer),
    );
    dispatchRaw(deps.client, raw);
    if (!(await answered)) {
      logger.warn({ type: raw.type }, 'no answer for a discord interaction in time');
      return send(res, 503, { error: 'not answered' });
    }
  };

  return {
    handle(req, res) {
      serve(req, res).catch((err: unknown) => {
        logger.warn({ err: (err as Error).message }, 'discord interaction failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
    },
    close() {
      closed = true;
    },
  };
}
