// The fake's draft JSON. Known keys (docs/nemo-contract.md): t tracks, tt track type (0 video, 1 audio/BGM, 7 text/title),
// sg segments, d duration in ms, m metadata {title, width, height}.
// Segment keys are NOT public; the fake chooses (clients must degrade gracefully with other keys):
//   id  segment id          n   name (video clip, music title)     st  start in ms     d   duration in ms
//   v   volume 0..1 (BGM)   tx  text (title track)                 src media URL (video)
export interface Segment {
  id: string;
  n?: string;
  st: number;
  d: number;
  v?: number;
  tx?: string;
  src?: string;
}
export interface Track {
  tt: number;
  sg: Segment[];
}
export interface FakeDraft {
  t: Track[];
  d: number;
  m: { title: string; width: number; height: number };
}

export type EditAction = 'add_bgm' | 'add_title' | 'trim';

const GENERATED_MS = 30_000;
let segCounter = 0;
const segId = (): string => `seg_${++segCounter}`;

export function emptyDraft(): FakeDraft {
  return { t: [], d: 0, m: { title: '', width: 1080, height: 1920 } };
}

/** Title words from the prompt: drop the command words, keep it short. */
export function titleFrom(prompt: string): string {
  const cleaned = prompt
    .replace(/\b(please|generate|make|create|a|an|the|video|for|of|me)\b/gi, ' ')
    .replace(/(给我|帮我|生成|制作|一个|视频)/g, '')
    .replace(/的\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return (cleaned || prompt).slice(0, 40);
}

export function generatedDraft(prompt: string, src: string, zh: boolean): FakeDraft {
  const title = titleFrom(prompt);
  return {
    t: [
      { tt: 0, sg: [{ id: segId(), n: prompt.slice(0, 80), st: 0, d: GENERATED_MS, src }] },
      {
        tt: 1,
        sg: [{ id: segId(), n: zh ? '轻快节奏' : 'Upbeat Corporate', st: 0, d: GENERATED_MS, v: 0.35 }],
      },
      { tt: 7, sg: [{ id: segId(), tx: title, st: 0, d: 3000 }] },
    ],
    d: GENERATED_MS,
    m: { title, width: 1080, height: 1920 },
  };
}

export function editActionOf(text: string): EditAction | undefined {
  const t = text.toLowerCase();
  if (/music|bgm|soundtrack|音乐|配乐/.test(t)) return 'add_bgm';
  if (/title|caption|subtitle|字幕|标题/.test(t)) return 'add_title';
  if (/trim|shorter|shorten|cut|剪/.test(t)) return 'trim';
  return undefined;
}

function quoted(text: string): string | undefined {
  return /["“「'‘]([^"”」'’]{1,60})["”」'’]/.exec(text)?.[1];
}

/** Applies an edit to a copy of the draft; returns the new draft and a one-line description. */
export function applyEdit(
  draft: FakeDraft,
  action: EditAction,
  text: string,
  zh: boolean,
): { draft: FakeDraft; summary: string } {
  const next: FakeDraft = structuredClone(draft);
  const len = next.d || 10_000;
  next.d = len;
  if (action === 'add_bgm') {
    const name = zh ? '轻松 Lo-fi' : 'Lo-fi Chill';
    const bgm: Track = { tt: 1, sg: [{ id: segId(), n: name, st: 0, d: len, v: 0.35 }] };
    const at = next.t.findIndex((tr) => tr.tt === 1);
    if (at >= 0) next.t[at] = bgm;
    else next.t.push(bgm);
    return {
      draft: next,
      summary: zh
        ? `已添加背景音乐「${name}」，音量 35%。`
        : `I added background music ("${name}") at 35% volume.`,
    };
  }
  if (action === 'add_title') {
    const tx = quoted(text) ?? (zh ? '新标题' : 'New Title');
    next.t.push({ tt: 7, sg: [{ id: segId(), tx, st: 0, d: Math.min(3000, len) }] });
    return {
      draft: next,
      summary: zh ? `已添加标题「${tx}」（0-3 秒）。` : `I added the title "${tx}" (0-3s).`,
    };
  }
  const secs = /(\d+)\s*(s\b|sec|second|秒)/i.exec(text)?.[1];
  const target = secs ? Number(secs) * 1000 : len - 5000;
  const d = Math.max(1000, Math.min(len, target));
  next.d = d;
  for (const tr of next.t) {
    tr.sg = tr.sg.filter((s) => s.st < d);
    for (const s of tr.sg) s.d = Math.min(s.d, d - s.st);
  }
  const sec = Math.round(d / 1000);
  return { draft: next, summary: zh ? `已将视频剪到 ${sec} 秒。` : `I trimmed the video to ${sec} seconds.` };
}
