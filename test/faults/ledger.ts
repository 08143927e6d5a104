import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import type { FaultChat } from './chat.ts';

// What a fault scenario counts, per export: videos in the chat, renders NemoVideo accepted, user messages
// that got no answer, agent messages NemoVideo received twice. A scenario fails on any loss or double
// charge; the rows also go to the summary table (summary.ts) printed at the end of `npm run test:faults`.

declare module 'vitest' {
  export interface ProvidedContext {
    faultsSummaryFile: string;
  }
}

export interface ExportCount {
  posts: number;
  renders: number;
  /** 2 only where a second copy is the documented exception (killed at the chat action or mid-upload). */
  maxPosts: 1 | 2;
}

export interface Row {
  scenario: string;
  store: string;
  runs: number;
  exports: ExportCount[];
  /** User messages (in all chats) that never got any answer. */
  lost: number;
  duplicates: number;
  /** Bot processes that exited during startup after a fault (the supervisor started them again). */
  refusals: string[];
  problems: string[];
  note?: string;
}

/** One run of a scenario: each chat counted with `countChat`, plus what went wrong besides the counts. */
export interface RunResult {
  counts: Array<ReturnType<typeof countChat>>;
  problems: string[];
  refusals: string[];
}

/** Counts one chat that asked for exactly one export (or none, with `exported: false`). */
export function countChat(chat: FaultChat, opts: { exported?: boolean; maxPosts?: 1 | 2 } = {}) {
  return {
    export:
      opts.exported === false
        ? undefined
        : { posts: chat.videos(), renders: chat.renders(), maxPosts: opts.maxPosts ?? 1 },
    lost: chat.lost(),
    duplicates: chat.duplicates(),
  };
}

/** One scenario's tally over its runs. */
export class Tally {
  readonly row: Row;
  constructor(scenario: string, store: string) {
    this.row = { scenario, store, runs: 0, exports: [], lost: 0, duplicates: 0, refusals: [], problems: [] };
  }

  /** Adds a finished run. */
  run({ counts, problems, refusals }: RunResult): void {
    this.row.runs++;
    this.row.refusals.push(...refusals);
    for (const c of counts) {
      if (c.export) this.row.exports.push(c.export);
      this.row.lost += c.lost;
      this.row.duplicates += c.duplicates;
    }
    this.row.problems.push(...problems);
  }

  /** Everything wrong in this scenario: lost videos, extra copies, double charges, unanswered messages. */
  verdict(): string[] {
    const out = [...this.row.problems];
    const e = this.row.exports;
    const noVideo = e.filter((x) => x.posts === 0).length;
    const extra = e.filter((x) => x.posts > x.maxPosts).length;
    const noRender = e.filter((x) => x.renders === 0).length;
    const charged = e.filter((x) => x.renders > 1).length;
    if (noVideo) out.push(`${noVideo} of ${e.length} exports ended without a video`);
    if (extra) out.push(`${extra} of ${e.length} exports posted more copies than allowed`);
    if (noRender) out.push(`${noRender} of ${e.length} exports never reached NemoVideo`);
    if (charged) out.push(`${charged} of ${e.length} exports rendered more than once (charged twice)`);
    if (this.row.lost) out.push(`${this.row.lost} user messages got no answer`);
    if (this.row.duplicates) out.push(`${this.row.duplicates} agent messages reached NemoVideo twice`);
    return out;
  }

  /** Records the row for the summary and prints it; returns the problems (the caller asserts none). */
  finish(note?: string): string[] {
    if (note) this.row.note = note;
    this.row.problems = this.verdict();
    let file: string | undefined;
    try {
      file = inject('faultsSummaryFile');
    } catch {
      file = undefined; // run outside the faults config: print only
    }
    if (file) appendFileSync(path.resolve(file), `${JSON.stringify(this.row)}\n`);
    process.stdout.write(`${formatTable([this.row])}\n`);
    return this.row.problems;
  }
}

/** "1×3 2×1": how many exports had each value. */
export function histogram(values: Array<number | string>): string {
  if (values.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([v, n]) => `${v}×${n}`)
    .join(' ');
}

/** Videos per render of one export: the count itself when there was one render, else "posts/renders". */
const postsPerRender = (e: ExportCount): string =>
  e.renders === 1 ? String(e.posts) : `${e.posts}/${e.renders}`;

export function formatTable(rows: Row[]): string {
  const head = [
    'scenario',
    'store',
    'runs',
    'exports',
    'posts/render',
    'renders/export',
    'lost msgs',
    'dup msgs',
    'refused starts',
    'result',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.store,
    String(r.runs),
    String(r.exports.length),
    histogram(r.exports.map(postsPerRender)),
    histogram(r.exports.map((e) => e.renders)),
    String(r.lost),
    String(r.duplicates),
    String(r.refusals.length),
    r.problems.length === 0 ? 'ok' : `FAIL: ${r.problems.join('; ')}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  const notes = rows.flatMap((r) => {
    const refused = [...new Set(r.refusals)].map(
      (why) => `  ${r.scenario} (${r.store}): start refused: ${why}`,
    );
    return [...(r.note ? [`  ${r.scenario} (${r.store}): ${r.note}`] : []), ...refused];
  });
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line), ...notes].join('\n');
}
