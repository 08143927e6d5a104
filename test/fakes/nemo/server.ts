// The fake NemoVideo backend (docs/nemo-contract.md): a real node:http server on 127.0.0.1:0.
// Order per request: record → route (unknown: 404 + stderr) → injected fault → auth (all but the token route and
// /files/) → handler. Business envelope `{code, message, data}`; HTTP statuses for body codes: see STATUS_FOR_CODE.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleChat } from './agent.ts';
import { mp4Cache } from './mp4.ts';
import { handleCancel, handleDownload, handleFile, handlePoll, handleRenderCreate } from './render.ts';
import { handleAuthed, handleToken } from './routes.ts';
import { bearer, type FakeCtx, readBody, sendCode, sendJson, tokenValid } from './state.ts';
import type { FakeNemo, FakeNemoOptions, FakeRoute, InjectedFault, RecordedRequest } from './types.ts';
import { handleMultipart, RAW_BODY_CAP } from './upload.ts';

/** Fast defaults for tests (others' tests rely on them): heartbeats 20 ms, generation 100 ms, renders in 2 polls. */
export function defaultFakeOptions(): FakeNemoOptions {
  return {
    pollShape: 'A',
    heartbeat: 'empty',
    heartbeatMs: 20,
    generateMs: 100,
    replyMs: 10,
    errorsAs: 'body',
    silentEdits: false,
    partialText: false,
    thoughts: false,
    simplifiedEvents: false,
    lineEnding: '\n',
    chunkBytes: 65_536,
    trailingIssue: false,
    bigToolResultChars: 0,
    renderPolls: 2,
    renderFails: false,
    duplicateRenderIdOnce: false,
    requireAttribution: true,
    mp4PadTo: 0,
    tokensPerIp: 10,
    tokenTtlMs: 7 * 24 * 3600_000,
    maxUploadBytes: 200 * 1024 * 1024,
    credits: { available: 100, frozen: 0 },
    operatorTokens: [],
    faults: [],
  };
}

const ROUTES: Array<[string, RegExp, FakeRoute]> = [
  ['POST', /^\/api\/auth\/anonymous-token$/, 'token'],
  ['POST', /^\/api\/tasks\/me\/with-session\/nemo_agent$/, 'session'],
  ['POST', /^\/run_sse$/, 'chat'],
  ['POST', /^\/api\/upload-video\/nemo_agent\/me\/([^/]+)$/, 'upload'],
  ['GET', /^\/api\/credits\/balance\/simple$/, 'credits'],
  ['GET', /^\/api\/state\/nemo_agent\/me\/([^/]+)\/latest$/, 'state'],
  ['POST', /^\/api\/render\/proxy\/lambda$/, 'render'],
  ['GET', /^\/api\/render\/proxy\/lambda\/([^/]+)$/, 'poll'],
  ['POST', /^\/api\/render\/proxy\/lambda\/([^/]+)\/cancel$/, 'cancel'],
  ['GET', /^\/api\/render\/proxy\/([^/]+)\/download$/, 'download'],
  ['POST', /^\/api\/auth\/claim-token$/, 'claim'],
];

const RENDER_ROUTES = new Set<FakeRoute>(['render', 'poll', 'cancel', 'download']);

function matchRoute(method: string, path: string): { route: FakeRoute; param: string } | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const [verb, re, route] of ROUTES) {
    const hit = verb === m ? re.exec(path) : null;
    if (hit) return { route, param: decodeURIComponent(hit[1] ?? '') };
  }
  return undefined;
}

/** When each outage window opened (its first hit). */
const windowOpened = new WeakMap<InjectedFault, number>();

function takeFault(ctx: FakeCtx, route: FakeRoute): InjectedFault | undefined {
  const faults = ctx.opts().faults;
  const i = faults.findIndex((f) => f.route === route && (f.times ?? 1) > 0);
  const f = faults[i];
  if (!f) return undefined;
  if (f.windowMs !== undefined) {
    const now = Date.now();
    const opened = windowOpened.get(f) ?? now;
    windowOpened.set(f, opened);
    if (now - opened < f.windowMs) return f;
    faults.splice(i, 1);
    return takeFault(ctx, route);
  }
  const left = (f.times ?? 1) - 1;
  if (left <= 0) faults.splice(i, 1);
  else f.times = left;
  return f;
}

/** Answers a fault that is not a chat-stream fault; false when the fault is for the stream. */
function answerFault(
  ctx: FakeCtx,
  req: IncomingMessage,
  res: ServerResponse,
  route: FakeRoute,
  f: InjectedFault,
) {
  if (f.reset) {
    res.socket?.destroy();
    return true;
  }
  if (f.hangMs !== undefined) {
    setTimeout(() => res.socket?.destroy(), f.hangMs).unref();
    return true;
  }
  if (f.stallAfterBytes !== undefined) {
    const mp4 = ctx.mp4();
    res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': mp4.length });
    res.write(mp4.subarray(0, f.stallAfterBytes));
    return true;
  }
  if (f.code !== undefined) {
    const t = ctx.tokens.get(bearer(req) ?? '');
    if (f.code === 1001 && t) t.revoked = true; // the server now considers that token invalid
    sendCode(ctx, res, f.code);
    return true;
  }
  if (f.status === undefined) return false;
  const s = f.status;
  if (s >= 500) {
    const text = s === 503 ? 'Service Unavailable' : 'Internal Server Error';
    res.writeHead(s, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }
  const headers: Record<string, string> = s === 429 ? { 'Retry-After': '1' } : {};
  const message = s === 429 ? 'Too many requests' : s === 402 ? 'Payment required' : `HTTP ${s}`;
  sendJson(
    res,
    s,
    RENDER_ROUTES.has(route) ? { success: false, error: message } : { detail: message },
    headers,
  );
  return true;
}

/** `listen.port` (default 0: any free port) is for the CLI; tests keep port 0. */
export async function startFakeNemo(
  opts: Partial<FakeNemoOptions> = {},
  listen: { port?: number } = {},
): Promise<FakeNemo> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<FakeRoute, number>();
  const padded = mp4Cache();
  let url = '';
  let options: FakeNemoOptions = { ...defaultFakeOptions(), ...structuredClone(opts) };
  const ctx: FakeCtx = {
    url: '',
    opts: () => options,
    tokens: new Map(),
    clientTokens: new Map(),
    clientUsers: new Map(),
    tokensPerIp: new Map(),
    sessions: new Map(),
    drafts: new Map(),
    renders: new Map(),
    renderIds: new Set(),
    files: new Map(),
    chats: [],
    duplicateChats: [],
    streams: { open: new Map(), most: new Map() },
    uploads: [],
    issuedTokens: [],
    mp4: () => padded(options.mp4PadTo),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const rec: RecordedRequest = {
      method,
      path,
      headers: { ...req.headers },
      body: Buffer.alloc(0),
      at: Date.now(),
    };
    requests.push(rec);
    const matched = matchRoute(method, path);
    if (!matched && (method === 'GET' || method === 'HEAD') && path.startsWith('/files/')) {
      counts.set('file', (counts.get('file') ?? 0) + 1);
      const fault = takeFault(ctx, 'file');
      if (fault && answerFault(ctx, req, res, 'file', fault)) return;
      if (handleFile(ctx, res, decodeURIComponent(path.slice(7)), method === 'HEAD')) return;
    }
    const isUpload = matched?.route === 'upload' && !/json/i.test(String(req.headers['content-type'] ?? ''));
    if (!isUpload) rec.body = await readBody(req);
    if (!matched) {
      process.stderr.write(`[fake-nemo] 404 unknown route: ${method} ${path}\n`);
      return sendJson(res, 404, { detail: 'Not Found', method, path });
    }
    const { route, param } = matched;
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const drainThen = async (fn: () => void): Promise<void> => {
      if (isUpload) rec.body = (await readBody(req)).subarray(0, RAW_BODY_CAP);
      fn();
    };

    const fault = takeFault(ctx, route);
    if (fault && answerFault(ctx, req, res, route, fault)) return drainThen(() => {});
    if (route === 'token') return handleToken(ctx, req, res);
    if (!tokenValid(ctx, bearer(req))) return drainThen(() => sendCode(ctx, res, 1001));

    switch (route) {
      case 'chat':
        return handleChat(ctx, req, res, rec.body, fault);
      case 'upload': {
        const s = ctx.sessions.get(param);
        if (!s) return drainThen(() => sendCode(ctx, res, 1002));
        if (isUpload) return handleMultipart(ctx, req, res, s, (raw) => (rec.body = raw));
        return handleAuthed(ctx, req, res, route, param, rec.body);
      }
      case 'render':
        return handleRenderCreate(ctx, req, res, rec.body);
      case 'poll':
        return handlePoll(ctx, res, param);
      case 'cancel':
        return handleCancel(ctx, res, param);
      case 'download':
        return handleDownload(ctx, res, param, method === 'HEAD');
      default:
        return handleAuthed(ctx, req, res, route, param, rec.body);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`[fake-nemo] handler error: ${String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, { detail: 'fake-nemo internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx.url = url;

  return {
    get url() {
      return url;
    },
    get options() {
      return options;
    },
    set options(next: FakeNemoOptions) {
      options = next;
    },
    requests,
    chats: ctx.chats,
    duplicateChats: ctx.duplicateChats,
    streams: ctx.streams,
    uploads: ctx.uploads,
    drafts: ctx.drafts,
    get issuedTokens() {
      return [...ctx.issuedTokens, ...options.operatorTokens];
    },
    mp4: ctx.mp4,
    renders: () => [...ctx.renders.values()].map(({ id, sessionId, polls }) => ({ id, sessionId, polls })),
    count: (route: FakeRoute) => counts.get(route) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
