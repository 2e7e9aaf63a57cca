/**
 * What the enricher's draft check costs per report, beside the rule labeling the enricher already does for every
 * report (the named baseline), in one run on the same Open-i reports: train + validation, each signed impression
 * taken as the draft to check. Run: npm run bench -w @radflow/labels [-- --rounds 5]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parse } from 'csv-parse/sync';
import { checkDraftImpression, labelReport } from '../src/index.ts';

const root = new URL('../../../', import.meta.url);
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const uids = new Set(
  ['train', 'validation'].flatMap((split) =>
    readFileSync(new URL(`models/training/splits/${split}.txt`, root), 'utf8')
      .split(/\s+/)
      .filter(Boolean),
  ),
);
const rows = (
  parse(readFileSync(new URL('data/openi/reports.csv', root)), { columns: true }) as Record<string, string>[]
)
  .filter((r) => uids.has(r['uid']!) && r['findings']?.trim() && r['impression']?.trim())
  .map((r) => ({
    findings: r['findings']!.replace(/\s+/g, ' ').trim(),
    draft: r['impression']!.replace(/\s+/g, ' ').trim(),
  }));

const contenders: [string, (row: (typeof rows)[number]) => unknown][] = [
  [
    'rule labeling of the report (baseline)',
    (r) => labelReport({ findings: r.findings, impression: r.draft }),
  ],
  ['draft check (checkDraftImpression)', (r) => checkDraftImpression(r.findings, r.draft)],
];

console.log(`${rows.length} reports, ${rounds} rounds, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
const best: Record<string, number> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of contenders) {
    const started = performance.now();
    for (const row of rows) run(row);
    const perReport = (performance.now() - started) / rows.length;
    best[name] = Math.min(best[name] ?? Infinity, perReport);
  }
}
const baseline = best[contenders[0]![0]]!;
for (const [name] of contenders)
  console.log(
    `${name.padEnd(42)} ${best[name]!.toFixed(3).padStart(7)} ms per report (best round), ${(best[name]! / baseline).toFixed(2)}x the baseline`,
  );
