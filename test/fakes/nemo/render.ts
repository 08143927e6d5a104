// The render proxy: create, poll (shape A or B), cancel, download; and the /files/ "CDN" the output URL points at.
// Duplicate ids answer HTTP 409 `{success:false,error:"Render id already exists"}`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SAMPLE_META } from './mp4.ts';
import { type FakeCtx, type FakeRender, isRecord, parseJson, sendJson } from './state.ts';

const fail = (res: ServerResponse, status: number, error: string): void =>
  sendJson(res, status, { success: false, error });

const ATTRIBUTION = ['x-skill-source', 'x-skill-version', 'x-skill-platform'];

export function handleRenderCreate(ctx: FakeCtx, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const o = ctx.opts();
  if (o.requireAttribution && ATTRIBUTION.some((h) => !req.headers[h])) {
    return fail(
      res,
      402,
      'Export requires a paid plan (missing X-Skill-Source/X-Skill-Version/X-Skill-Platform)',
    );
  }
  const b = parseJson(body);
  if (
    !isRecord(b) ||
    typeof b.id !== 'string' ||
    !b.id ||
    typeof b.sessionId !== 'string' ||
    !isRecord(b.draft)
  ) {
    return fail(res, 400, 'Body needs id, sessionId and draft');
  }
  const tracks = Array.isArray(b.draft.t) ? b.draft.t : [];
  if (!tracks.some((t) => isRecord(t) && Array.isArray(t.sg) && t.sg.length > 0)) {
    return fail(res, 400, 'Draft has nothing to render');
  }
  const id = b.id;
  if (ctx.renderIds.has(id)) return fail(res, 409, 'Render id already exists');
  ctx.renderIds.add(id);
  if (o.duplicateRenderIdOnce) {
    o.duplicateRenderIdOnce = false; // consumed, like a fault
    return fail(res, 409, 'Render id already exists');
  }
  const cost = Math.min(o.renderCost ?? 0, o.credits.available);
  o.credits.available -= cost;
  ctx.renders.set(id, {
    id,
    sessionId: b.sessionId,
    polls: 0,
    createdAt: new Date().toISOString(),
    cancelled: false,
  });
  sendJson(res, 200, { success: true, data: { id, status: 'pending', progress: 0 } });
}

type Phase = { status: 'pending' | 'processing' | 'completed' | 'failed'; progress: number; error?: string };

function phaseOf(ctx: FakeCtx, r: FakeRender): Phase {
  const o = ctx.opts();
  if (r.cancelled) return { status: 'failed', progress: 0, error: 'Render cancelled' };
  const n = Math.max(1, o.renderPolls);
  if (r.polls < n) return { status: 'processing', progress: Math.floor((r.polls * 100) / n) };
  if (o.renderFails)
    return {
      status: 'failed',
      progress: Math.floor(((n - 1) * 100) / n),
      error: 'Render failed: encoder error',
    };
  return { status: 'completed', progress: 100 };
}

export function handlePoll(ctx: FakeCtx, res: ServerResponse, id: string) {
  const r = ctx.renders.get(id);
  if (!r) return fail(res, 404, `Render not found: ${id}`);
  r.polls++;
  const p = phaseOf(ctx, r);
  const done = p.status === 'completed';
  const name = `${id}.mp4`;
  if (done) {
    r.completedAt ??= new Date().toISOString();
    ctx.files.set(name, { contentType: 'video/mp4' });
  }
  const outputUrl = `${ctx.url}/files/${encodeURIComponent(id)}.mp4`;
  const err = p.error !== undefined ? { error: p.error } : {};
  if (ctx.opts().pollShape === 'B') {
    const output = done
      ? { output: { url: outputUrl, duration: SAMPLE_META.duration, size: ctx.mp4().length } }
      : {};
    return sendJson(res, 200, { taskId: id, status: p.status, progress: p.progress, ...output, ...err });
  }
  const data = {
    id,
    status: p.status,
    progress: p.progress,
    ...(done ? { outputUrl } : {}),
    createdAt: r.createdAt,
    ...(done && r.completedAt ? { completedAt: r.completedAt } : {}),
    ...err,
  };
  sendJson(res, 200, { success: true, data });
}

export function handleCancel(ctx: FakeCtx, res: ServerResponse, id: string) {
  const r = ctx.renders.get(id);
  if (!r) return fail(res, 404, `Render not found: ${id}`);
  r.cancelled = true;
  sendJson(res, 200, { success: true, data: { id, status: 'cancelled' } });
}

export function sendMp4(res: ServerResponse, bytes: Buffer, contentType: string, head: boolean) {
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': bytes.length,
    'Accept-Ranges': 'none',
  });
  res.end(head ? undefined : bytes);
}

export function handleDownload(ctx: FakeCtx, res: ServerResponse, id: string, head: boolean) {
  const r = ctx.renders.get(id);
  if (!r) return fail(res, 404, `Render not found: ${id}`);
  if (!r.completedAt) return fail(res, 409, 'Render not completed');
  sendMp4(res, ctx.mp4(), 'video/mp4', head);
}

/** GET/HEAD /files/<name>: no auth (a CDN URL). Unknown names answer 404. */
export function handleFile(ctx: FakeCtx, res: ServerResponse, name: string, head: boolean): boolean {
  const f = ctx.files.get(name);
  if (!f) return false;
  sendMp4(res, f.bytes ?? ctx.mp4(), f.contentType, head);
  return true;
}
