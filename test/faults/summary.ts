import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { formatTable, type Row } from './ledger.ts';

// globalSetup of vitest.faults.config.ts: every scenario appends its row to one file (test files run in
// separate processes); at the end the whole table is printed, failing rows included.

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'bot-faults-summary-'));
  const file = path.join(dir, 'rows.jsonl');
  writeFileSync(file, '');
  project.provide('faultsSummaryFile', file);
  return () => {
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Row);
    rmSync(dir, { recursive: true, force: true });
    if (rows.length === 0) return;
    rows.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.store.localeCompare(b.store));
    process.stdout.write(`\nFault suite (issue 9): per scenario\n${formatTable(rows)}\n`);
  };
}
