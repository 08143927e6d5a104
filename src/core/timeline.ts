// The timeline summary and change list of a draft, in the skill's format:
//   Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)
// printed with one track per line after the heading (chat-friendly; same content). Only `t`, `tt`, `sg`,
// `d` are public (docs/nemo-contract.md): segment keys are guessed from common names and every guess may miss, so
// each part of a line is optional and nothing prints "undefined" or "NaN".

import { type TimelineLabels, timelineLabels } from '../i18n/labels.ts';
import type { Draft, DraftTrack } from '../nemo/types.ts';
import type { Lang } from './ports.ts';

type Obj = Record<string, unknown>;
type Kind = 'video' | 'bgm' | 'audio' | 'title' | 'track';

const NAME_KEYS = ['n', 'name', 'nm', 'title', 'label', 'caption'];
const TEXT_KEYS = ['tx', 'text', 'txt', 'content'];
const SRC_KEYS = ['src', 'url', 'path', 'file', 'uri'];
const START_KEYS = ['s', 'st', 'start', 'b', 'begin', 'startTime', 'start_time', 'startMs', 'start_ms'];
const END_KEYS = ['e', 'end', 'endTime', 'end_time', 'endMs', 'end_ms'];
const DUR_KEYS = ['d', 'dur', 'duration', 'len', 'length', 'durationMs', 'duration_ms'];
const VOL_KEYS = ['v', 'vol', 'volume'];
const ID_KEYS = ['id', 'i', '_id', 'tid', 'track_id', 'trackId'];
const VOICE = /voice|narrat|\bvo\b|sfx|sound ?effect|\bdub|speech|配音|旁白|音效|人声/iu;
const MUSIC = /music|bgm|song|背景音乐|音乐|配乐/iu;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The value of the first key found on the object, then on its nested objects (one level: `tr`, `m` …). */
function pick<T>(o: Obj, keys: string[], accept: (v: unknown) => v is T): T | undefined {
  for (const k of keys) if (accept(o[k])) return o[k] as T;
  for (const v of Object.values(o)) {
    if (!isObj(v)) continue;
    for (const k of keys) if (accept(v[k])) return v[k] as T;
  }
  return undefined;
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function baseName(url: string): string {
  const path = url.split(/[?#]/u)[0] ?? '';
  return decodeURIComponentSafe(path.split(/[/\\]/u).filter(Boolean).pop() ?? '');
}
function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
function clip(s: string, max = 40): string {
  const one = s.replace(/\s+/gu, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function segmentName(sg: Obj, title: boolean): string | undefined {
  const keys = title ? [...TEXT_KEYS, ...NAME_KEYS] : [...NAME_KEYS, ...TEXT_KEYS];
  const name = pick(sg, keys, isText);
  if (name) return clip(name);
  const src = pick(sg, SRC_KEYS, isText);
  const base = src ? baseName(src) : '';
  return base ? clip(base) : undefined;
}

/** Raw times of a segment, in the draft's unit (decided for the whole draft by `msUnit`). */
function segmentTimes(sg: Obj): { s?: number; e?: number; d?: number } {
  const s = pick(sg, START_KEYS, isNum);
  const e = pick(sg, END_KEYS, isNum);
  const d = pick(sg, DUR_KEYS, isNum);
  return { ...(s !== undefined && { s }), ...(e !== undefined && { e }), ...(d !== undefined && { d }) };
}

export interface TrackView {
  kind: Kind;
  /** Matches a track across two drafts: its type and rank among that type ("1#0": the first audio track). */
  key: string;
  /** The track's own id, when it has one (preferred for matching when both drafts share ids). */
  id?: string;
  names: string[];
  segments: number;
  /** Seconds. */
  start?: number;
  end?: number;
  total?: number;
  /** Percent. */
  volume?: number;
  raw: string;
}

function segmentsOf(track: DraftTrack): Obj[] {
  return Array.isArray(track.sg) ? track.sg.filter(isObj) : [];
}

function typeOf(track: DraftTrack): number | string | undefined {
  if (typeof track.tt === 'number') return track.tt;
  const t = track.type ?? track.kind;
  return typeof t === 'string' ? t.toLowerCase() : undefined;
}

function baseKind(tt: number | string | undefined): Kind | 'audioish' {
  if (tt === 0 || tt === 'video') return 'video';
  if (tt === 1 || tt === 'audio' || tt === 'music' || tt === 'bgm') return 'audioish';
  if (tt === 7 || tt === 'text' || tt === 'title' || tt === 'subtitle') return 'title';
  return 'track';
}

/** Words that tell music from a voice-over: the track's own strings and its segments' names and sources. */
function markers(track: DraftTrack): string {
  const words: string[] = [];
  for (const [k, v] of Object.entries(track)) if (k !== 'sg' && typeof v === 'string') words.push(v);
  for (const sg of segmentsOf(track)) {
    for (const k of ['type', 'kind', 'role', 'category', ...NAME_KEYS, ...SRC_KEYS]) {
      const v = sg[k];
      if (typeof v === 'string') words.push(v);
    }
  }
  return words.join(' ');
}

/** Times above 1000 mean the draft counts in milliseconds (docs/nemo-contract.md: `d` is ms); else seconds. */
function msUnit(draft: Draft, tracks: DraftTrack[]): boolean {
  let max = isNum(draft.d) ? draft.d : 0;
  for (const tr of tracks) {
    for (const sg of segmentsOf(tr)) {
      const { s = 0, e = 0, d = 0 } = segmentTimes(sg);
      max = Math.max(max, s, e, d);
    }
  }
  return max > 1000;
}

/** A track's content for change detection, without its id (a renumbering is no edit). */
function rawOf(track: DraftTrack): string {
  return JSON.stringify(Object.fromEntries(Object.entries(track).filter(([k]) => !ID_KEYS.includes(k))));
}

export function readTracks(draft: Draft | undefined): TrackView[] {
  const tracks = Array.isArray(draft?.t) ? draft.t.filter(isObj) : [];
  if (!draft || tracks.length === 0) return [];
  const scale = msUnit(draft, tracks) ? 1 / 1000 : 1;
  const audio = tracks.filter((t) => baseKind(typeOf(t)) === 'audioish');
  // "BGM" is the music track: one that says so, else the first audio track that is not a voice-over.
  const music = audio.find((t) => MUSIC.test(markers(t))) ?? audio.find((t) => !VOICE.test(markers(t)));
  const rank = new Map<string, number>();
  return tracks.map((track) => {
    const tt = typeOf(track);
    const base = baseKind(tt);
    const kind: Kind = base === 'audioish' ? (track === music ? 'bgm' : 'audio') : base;
    const r = rank.get(String(tt)) ?? 0;
    rank.set(String(tt), r + 1);
    const id = ID_KEYS.map((k) => track[k]).find((v) => isText(v) || isNum(v));
    const view: TrackView = {
      kind,
      key: `${String(tt)}#${r}`,
      names: [],
      segments: 0,
      raw: rawOf(track),
    };
    if (id !== undefined) view.id = String(id);
    let start: number | undefined;
    let end: number | undefined;
    let durs = 0;
    for (const sg of segmentsOf(track)) {
      view.segments++;
      const name = segmentName(sg, kind === 'title');
      if (name && !view.names.includes(name)) view.names.push(name);
      const t = segmentTimes(sg);
      const e = t.e ?? (t.s !== undefined && t.d !== undefined ? t.s + t.d : undefined);
      if (t.s !== undefined) start = Math.min(start ?? t.s, t.s);
      if (e !== undefined) end = Math.max(end ?? e, e);
      durs += t.d ?? 0;
      const v = view.volume === undefined ? pick(sg, VOL_KEYS, isNum) : undefined;
      if (v !== undefined) view.volume = Math.round(v <= 1 ? v * 100 : v);
    }
    if (start !== undefined && end !== undefined && end >= start) {
      view.start = start * scale;
      view.end = end * scale;
    } else if (durs > 0) view.total = durs * scale;
    return view;
  });
}

function secs(x: number): string {
  return String(Math.round(x * 10) / 10);
}

function label(kind: Kind, l: TimelineLabels): string {
  return { video: l.video, bgm: l.bgm, audio: l.audio, title: l.title, track: l.track }[kind];
}

/** A track's line without its number: `BGM: Lo-fi (0-10s, 35%)`. `withLabel` false drops the kind. */
function describe(v: TrackView, l: TimelineLabels, withLabel = true): string {
  const shown = v.names.slice(0, 3).map((n) => (v.kind === 'title' ? l.quote(n) : n));
  if (v.names.length > 3) shown.push(l.more(v.names.length - 3));
  const details: string[] = [];
  if (v.segments === 0) details.push(l.empty);
  if (v.start !== undefined && v.end !== undefined) details.push(l.range(secs(v.start), secs(v.end)));
  else if (v.total !== undefined) details.push(l.seconds(secs(v.total)));
  const audible = v.kind === 'bgm' || v.kind === 'audio';
  if (v.volume !== undefined && (audible || v.volume !== 100)) details.push(`${v.volume}%`);
  const names = shown.join(l.listSep);
  const paren = details.length ? l.paren(details.join(l.listSep)) : '';
  if (!withLabel) return `${names}${names ? paren : paren.trimStart()}`;
  return `${label(v.kind, l)}${names ? l.colon + names : ''}${paren}`;
}

export function isExportable(draft: Draft | undefined): boolean {
  return Array.isArray(draft?.t) && draft.t.some((t) => isObj(t) && Array.isArray(t.sg) && t.sg.length > 0);
}

export function summariseDraft(draft: Draft | undefined, lang: Lang): string | undefined {
  const views = readTracks(draft);
  if (!views.some((v) => v.segments > 0)) return undefined;
  const l = timelineLabels(lang);
  return [l.heading(views.length), ...views.map((v, i) => `${i + 1}. ${describe(v, l)}`)].join('\n');
}

/** Total length in seconds: the draft's `d`, else the latest end of any track. */
function totalSeconds(draft: Draft | undefined, views: TrackView[]): number | undefined {
  if (draft && isNum(draft.d)) return draft.d > 1000 ? draft.d / 1000 : draft.d;
  const ends = views.map((v) => v.end ?? v.total).filter((x): x is number => x !== undefined);
  return ends.length ? Math.max(...ends) : undefined;
}

/**
 * What changed between two drafts, one line each: added, changed (before → after), removed tracks, then the
 * total duration. Untouched tracks are not named. `undefined` when nothing changed, or when `after` is
 * unknown (no state to compare); an unknown `before` counts as an empty draft.
 */
export function describeChanges(
  before: Draft | undefined,
  after: Draft | undefined,
  lang: Lang,
): string | undefined {
  if (!after) return undefined;
  const l = timelineLabels(lang);
  const old = readTracks(before);
  const now = readTracks(after);
  // Ids win when they survive between the two drafts (a track inserted before another of its type);
  // a backend that renumbers its tracks on every state falls back to type and rank.
  const ids = old.some((v) => v.id !== undefined && now.some((w) => w.id === v.id));
  const keyOf = (v: TrackView): string => (ids && v.id !== undefined ? `id:${v.id}` : v.key);
  const oldByKey = new Map(old.map((v) => [keyOf(v), v]));
  const lines: string[] = [];
  for (const v of now) {
    const was = oldByKey.get(keyOf(v));
    oldByKey.delete(keyOf(v));
    if (!was) {
      lines.push(`${l.added}${l.colon}${describe(v, l)}`);
    } else if (was.raw !== v.raw) {
      const a = describe(was, l);
      const b = describe(v, l, was.kind !== v.kind);
      // A change the summary cannot show (an effect, a key we do not read) is still named, once.
      lines.push(`${l.changed}${l.colon}${a === describe(v, l) ? a : `${a} → ${b}`}`);
    }
  }
  for (const v of oldByKey.values()) lines.push(`${l.removed}${l.colon}${describe(v, l)}`);
  const d0 = before ? totalSeconds(before, old) : undefined;
  const d1 = totalSeconds(after, now);
  if (d0 !== undefined && d1 !== undefined && secs(d0) !== secs(d1)) {
    lines.push(`${l.duration}${l.colon}${l.seconds(secs(d0))} → ${l.seconds(secs(d1))}`);
  }
  return lines.length ? lines.join('\n') : undefined;
}
