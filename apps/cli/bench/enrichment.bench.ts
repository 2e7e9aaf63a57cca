// Full enrichment of one report, end to end in one process (no broker): rules, the model's tasks together (impression,
// abnormality and device labels, and the prior-report tasks for a follow-up), merge and priority, as the enricher
// runs them. p50 / p95 per model over the demo's chest X-rays, each report enriched alone (what a radiologist waits
// for), with radflow-cxr-small as the named baseline in the same run.
// Usage: npm run bench -w @radflow/cli -- [--rounds 5] [--model DIR ...]
import { parseArgs } from 'node:util';
import { loadConfig, repoRoot } from '@radflow/config';
import { ReportEnricher, RulesFromLabelsLib, TaskRunnerModelClient } from '@radflow/enrichment';
import { priorityPolicyFrom } from '@radflow/labels';
import { ModelHost } from '@radflow/model-runtime';
import type { RadiologyReport } from '@radflow/schemas';
import { readInputOutcomes } from '../src/commands/input-files.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    model: { type: 'string', multiple: true },
  },
});
const rounds = Number(values.rounds);
const baseline = `${repoRoot}models/radflow-cxr-small`;
const models = [baseline, ...(values.model ?? [`${repoRoot}.cache/models/radflow-cxr`])];

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const demo = [
  '01-normal-pa-lateral',
  '02-pneumothorax-stat',
  '03-icu-lines-first',
  '04-icu-lines-followup',
].map((name) => `${repoRoot}test/fixtures/demo/${name}.hl7`);
const reports: RadiologyReport[] = readInputOutcomes(demo, config).flatMap(({ outcome }) =>
  outcome.ok ? outcome.accepted : [],
);
const priorOf = (report: RadiologyReport) =>
  reports.find((r) => r !== report && r.patient.key === report.patient.key && r.accession < report.accession);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const rows = [];
for (const modelDir of models) {
  const host = await ModelHost.start(modelDir, {
    threads: config.inference.threads,
    providers: config.inference.providers,
    maxBatch: config.inference.maxBatch,
  });
  const enricher = new ReportEnricher(
    new TaskRunnerModelClient(host),
    new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority)),
    {
      deadlineMs: 120_000,
      labelSource: config.inference.labelSource,
      checkDraftImpression: config.inference.checkDraftImpression,
    },
  );
  try {
    await enricher.enrich(reports[0]!, undefined); // warm-up: first session run, allocator
    const times: number[] = [];
    let degraded = 0;
    for (let round = 0; round < rounds; round++)
      for (const report of reports) {
        const started = performance.now();
        const { enrichment } = await enricher.enrich(report, priorOf(report));
        times.push(performance.now() - started);
        if (enrichment.degraded) degraded++;
      }
    times.sort((a, b) => a - b);
    rows.push({
      model: `${host.model.name} ${host.model.version}${modelDir === baseline ? ' (baseline)' : ''}`,
      enrichments: times.length,
      'p50 s': (percentile(times, 0.5) / 1000).toFixed(2),
      'p95 s': (percentile(times, 0.95) / 1000).toFixed(2),
      'mean s': (times.reduce((a, b) => a + b, 0) / times.length / 1000).toFixed(2),
      degraded,
    });
  } finally {
    await host.close();
  }
}
console.log(
  `\nenrichment of one report, alone, ${reports.length} demo chest X-rays x ${rounds} rounds, ` +
    `${config.inference.threads} inference thread(s), label source ${config.inference.labelSource}`,
);
console.table(rows);
