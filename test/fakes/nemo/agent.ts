// POST /run_sse: the fake agent. Behaviour is deterministic from the message text (EN and ZH) and the draft:
// - an edit word ("music/bgm/音乐", "title/字幕/标题", "trim/shorter/剪") on a session with content, or with no
//   generation word → `edit_multitrack` (call, `replyMs` of work, result, draft changed), then a text — none
//   when `silentEdits`;
// - a generation verb ("generate/make/create/生成/制作/做一个"), or — unless it is a question or greeting — the
//   word "video/视频" or any description sent while the draft is empty ("a sunrise over the sea" via /video) →
//   `generate_video_with_seedance` (call, heartbeats for `generateMs`, result, 3-track draft, 10 credits frozen
//   then spent), then "Your 30-second promo is ready …";
// - anything else (questions, greetings, chatter once a draft exists) → a short text after `replyMs`.
// `disconnectAfterEvents` / `streamError` count non-heartbeat events. A forced disconnect still applies the
// turn's effect (the message was delivered); a client disconnect stops the work and refunds frozen credits.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyEdit, editActionOf, emptyDraft, type FakeDraft, generatedDraft, titleFrom } from './draft.ts';
import { type AgentEvent, SseWriter } from './sse.ts';
import { type FakeCtx, type FakeSession, hex, isRecord, parseJson, sendCode, sendJson } from './state.ts';
import type { InjectedFault } from './types.ts';

export const GENERATION_COST = 10;

const VERB_RE = /\b(generate|make|create|produce)\b|生成|制作|做一个|做个/i;
const CHATTER_RE =
  /[?？]|^\s*(hi|hello|hey|help|thanks|thank you|ok|okay|what|how|why|who|when|can|could|do|does|is|are)\b|你好|您好|谢谢|什么|怎么|吗|帮助/i;

/** A generation request: a verb, or (not a question/greeting) the word video, or any description on an empty draft. */
function wantsVideo(text: string, empty: boolean): boolean {
  if (VERB_RE.test(text)) return true;
  if (CHATTER_RE.test(text)) return false;
  if (/\bvideos?\b|视频/i.test(text)) return true;
  return empty && (text.trim().split(/\s+/).length >= 2 || /\p{Script=Han}{4,}/u.test(text));
}

interface Turn {
  tool?: { name: string; args: Record<string, unknown>; response: Record<string, unknown> };
  workMs: number;
  /** Applies the turn's change to the session (idempotent). */
  effect: () => void;
  text?: string | undefined;
  cost: number;
}

export function asDraft(v: unknown): FakeDraft {
  if (isRecord(v) && Array.isArray(v.t)) return v as unknown as FakeDraft;
  return emptyDraft();
}

const hasContent = (d: FakeDraft): boolean => d.t.some((tr) => Array.isArray(tr.sg) && tr.sg.length > 0);

function planTurn(ctx: FakeCtx, s: FakeSession, text: string): Turn {
  const o = ctx.opts();
  const zh = s.language.toLowerCase().startsWith('zh');
  const draft = asDraft(ctx.drafts.get(s.id));
  const edit = editActionOf(text);
  const once = (fn: () => void): (() => void) => {
    let done = false;
    return () => {
      if (!done) fn();
      done = true;
    };
  };
  if (edit && (hasContent(draft) || !VERB_RE.test(text))) {
    const { draft: next, summary } = applyEdit(draft, edit, text, zh);
    return {
      tool: {
        name: 'edit_multitrack',
        args: { action: edit, instruction: text },
        response: { status: 'success', action: edit, message: summary },
      },
      workMs: o.replyMs,
      effect: once(() => ctx.drafts.set(s.id, next)),
      text: o.silentEdits ? undefined : (o.replyText ?? summary),
      cost: 0,
    };
  }
  if (wantsVideo(text, !hasContent(draft))) {
    const name = `gen_${hex(6)}.mp4`;
    const src = `${ctx.url}/files/${name}`;
    const title = titleFrom(text);
    const reply = zh
      ? `你的30秒宣传视频已经生成好了！「${title}」配有背景音乐和标题。需要修改什么吗？`
      : `Your 30-second promo is ready! "${title}" has background music and a title. Want any changes?`;
    return {
      tool: {
        name: 'generate_video_with_seedance',
        args: { prompt: text, duration: 30, aspect_ratio: '9:16' },
        response: { status: 'success', video_url: src, duration: 30 },
      },
      workMs: o.generateMs,
      effect: once(() => {
        ctx.files.set(name, { contentType: 'video/mp4' });
        ctx.drafts.set(s.id, generatedDraft(text, src, zh));
        s.generatedMedia.push({
          type: 'video',
          url: src,
          duration: 30,
          prompt: text,
          tool: 'generate_video_with_seedance',
        });
      }),
      text: o.replyText ?? reply,
      cost: GENERATION_COST,
    };
  }
  const reply = zh
    ? '我是 NemoVideo 的 AI 视频助手。告诉我你想做什么视频，比如“给我的咖啡店做一个30秒的宣传视频”。'
    : `I'm NemoVideo's AI video agent. Tell me what to make, e.g. "make a 30-second promo for my coffee shop".`;
  return { workMs: o.replyMs, effect: () => {}, text: o.replyText ?? reply, cost: 0 };
}

/** Validates the ADK body; answers 422/404 itself and returns undefined when it did. */
function parseRequest(
  ctx: FakeCtx,
  res: ServerResponse,
  body: Buffer,
): { session: FakeSession; text: string } | undefined {
  const json = parseJson(body);
  const missing: string[] = [];
  const b = isRecord(json) ? json : {};
  for (const k of ['app_name', 'user_id', 'session_id']) if (typeof b[k] !== 'string') missing.push(k);
  const msg = b.new_message;
  const parts = isRecord(msg) && Array.isArray(msg.parts) ? msg.parts : undefined;
  if (!parts) missing.push('new_message');
  if (missing.length > 0) {
    const detail = missing.map((k) => ({
      type: 'missing',
      loc: ['body', k],
      msg: 'Field required',
      input: json,
    }));
    sendJson(res, 422, { detail });
    return undefined;
  }
  const sid = b.session_id as string;
  const session = ctx.sessions.get(sid);
  if (!session) {
    sendJson(res, 404, { detail: `Session not found: ${sid}` });
    return undefined;
  }
  const text = (parts ?? [])
    .map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : ''))
    .join('')
    .trim();
  return { session, text };
}

export async function handleChat(
  ctx: FakeCtx,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  fault: InjectedFault | undefined,
): Promise<void> {
  const parsed = parseRequest(ctx, res, body);
  if (!parsed) return;
  const { session, text } = parsed;
  const o = ctx.opts();
  if (o.credits.available <= 0) return sendCode(ctx, res, 2001);

  ctx.chats.push({ sessionId: session.id, text });
  if (session.seen.has(text)) ctx.duplicateChats.push({ sessionId: session.id, text });
  session.seen.add(text);
  const open = (ctx.streams.open.get(session.id) ?? 0) + 1;
  ctx.streams.open.set(session.id, open);
  ctx.streams.most.set(session.id, Math.max(open, ctx.streams.most.get(session.id) ?? 0));
  res.once('close', () => ctx.streams.open.set(session.id, (ctx.streams.open.get(session.id) ?? 1) - 1));

  const turn = planTurn(ctx, session, text);
  const credits = o.credits;
  const cost = Math.min(turn.cost, credits.available);
  credits.available -= cost;
  credits.frozen += cost;
  let settled = false;
  const settle = (refund: boolean): void => {
    if (settled) return;
    settled = true;
    credits.frozen = Math.max(0, credits.frozen - cost);
    if (refund) credits.available += cost;
  };
  const finish = (): void => {
    turn.effect();
    settle(false);
  };

  const abort = new AbortController();
  let forced = false;
  res.on('close', () => {
    if (!res.writableFinished && !forced) settle(true); // the client left mid-turn: the agent stops
    abort.abort();
  });
  req.on('error', () => abort.abort());

  const w = new SseWriter(res, o);
  w.open();
  const disconnectAfter = fault?.disconnectAfterEvents;
  const errorAfter = fault?.streamError !== undefined ? (fault.disconnectAfterEvents ?? 1) : undefined;
  let count = 0;
  /** Emits one event; true when the turn must stop here (fault). */
  const emit = async (ev: AgentEvent): Promise<boolean> => {
    if (await w.event(ev)) count++;
    return checkFault();
  };
  const checkFault = async (): Promise<boolean> => {
    if (errorAfter !== undefined && count >= errorAfter) {
      await w.error(fault?.streamError ?? 'error');
      settle(true);
      await w.end();
      return true;
    }
    if (disconnectAfter !== undefined && fault?.streamError === undefined && count >= disconnectAfter) {
      forced = true;
      finish();
      await w.destroy();
      return true;
    }
    return false;
  };
  const work = async (ms: number): Promise<void> => {
    const hb = setInterval(() => void w.heartbeat(), Math.max(1, o.heartbeatMs));
    try {
      await sleep(ms, undefined, { signal: abort.signal });
    } finally {
      clearInterval(hb);
    }
  };

  try {
    if (await checkFault()) return;
    if (
      o.thoughts &&
      (await emit({ kind: 'text', thought: true, text: 'The user wants a video; planning tools.' }))
    )
      return;
    const callId = `adk-${hex(16)}`;
    if (turn.tool) {
      if (await emit({ kind: 'call', id: callId, name: turn.tool.name, args: turn.tool.args })) return;
    }
    await work(turn.workMs);
    finish();
    if (turn.tool) {
      const pad = o.bigToolResultChars > 0 ? { log: 'x'.repeat(o.bigToolResultChars) } : {};
      const response = { ...turn.tool.response, ...pad };
      if (await emit({ kind: 'result', id: callId, name: turn.tool.name, response })) return;
    }
    if (turn.text !== undefined) {
      if (o.partialText) {
        const step = Math.max(1, Math.ceil(turn.text.length / 3));
        for (let i = 0; i < turn.text.length; i += step) {
          if (await emit({ kind: 'text', partial: true, text: turn.text.slice(i, i + step) })) return;
        }
      }
      if (await emit({ kind: 'text', text: turn.text })) return;
    }
    if (o.trailingIssue && turn.tool) {
      const issue = 'I encountered a temporary issue. Please try again.';
      if (await emit({ kind: 'text', text: issue })) return;
    }
    await w.end();
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  }
}
