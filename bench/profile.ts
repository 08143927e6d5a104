// `npx tsx bench/profile.ts <dir or file.cpuprofile>…`: where a CPU profile's busy time went, by part of the
// code (src/store, src/core, grammy, undici, node internals, GC…) and by function. The profiles come from
// `BENCH_PROFILE_DIR=<dir> npm run bench`: every bot process the bench starts then runs with `--cpu-prof` and
// writes one profile per thread into `<dir>/<row>/` when it stops (burst-memory, burst-SQLite, credits, mp4,
// open-…); for a directory the busiest profile (the main thread, not tsx's loader thread) is summarised.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the code a frame belongs to. */
export function partOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (mod) return mod[1] ?? url;
  const src = /\/(src|bench|test)\/([^/]+)\//.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (/\/src\/[^/]+\.ts$/.test(url)) return 'src';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  return path.basename(url);
}

/** Microseconds of samples that were not idle. */
function busyUs(p: Profile): number {
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return p.samples.reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (p.timeDeltas[i] ?? 0)), 0);
}

/** A directory's busiest profile (the main thread, not tsx's loader thread), or the file itself. */
function pick(target: string): string {
  if (!statSync(target).isDirectory()) return target;
  const files = readdirSync(target)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(target, f));
  const busy = new Map(files.map((f) => [f, busyUs(JSON.parse(readFileSync(f, 'utf8')) as Profile)]));
  const best = files.sort((a, b) => (busy.get(b) ?? 0) - (busy.get(a) ?? 0))[0];
  if (!best) throw new Error(`no .cpuprofile in ${target}`);
  return best;
}

function summarise(target: string, top = 20): string {
  const file = pick(target);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const parts = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const part = partOf(frame);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|src|bench|test)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const fn = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [
    `${path.relative(process.cwd(), file)}: ${ms(busy).trim()} busy of ${ms(total).trim()} sampled (the whole process: startup included)`,
    '  by part of the code (self time):',
    ...[...parts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`),
    '  by function (self time):',
    ...[...fns.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`),
  ];
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: npx tsx bench/profile.ts <file.cpuprofile>…\n');
    process.exit(2);
  }
  for (const f of files) process.stdout.write(`${summarise(f)}\n\n`);
}
