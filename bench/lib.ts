// Shared bits of the benchmarks: the result row, how a part hands its rows to bench/run.ts, and a timed loop.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MB = 1024 * 1024;
export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One line of the results table: the bot's figure against its bare baseline from the same run. */
export interface Row {
  figure: string;
  bot: string;
  baseline?: string;
  ratio?: string;
  goal?: string;
  note?: string;
}

/** Rows go to the parent (bench/run.ts) as one `BENCH <json>` line on stdout. */
export function emit(rows: Row[]): void {
  process.stdout.write(`BENCH ${JSON.stringify(rows)}\n`);
}

export const fmt = (n: number, digits = 1): string =>
  n >= 100_000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);

/** Runs `fn` until `count` runs are done or `budgetMs` has passed (at least once); returns runs and ms. */
export function timed(
  count: number,
  budgetMs: number,
  fn: (i: number) => void,
): { runs: number; ms: number } {
  const start = performance.now();
  let runs = 0;
  while (runs < count && (runs === 0 || performance.now() - start < budgetMs)) fn(runs++);
  return { runs, ms: performance.now() - start };
}
