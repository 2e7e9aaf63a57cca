import { clientApiToken, createLogger, loadConfig, logHash } from '@radflow/config';
import { HttpTaskRunner } from '@radflow/enricher';
import { ReportEnricher, RulesFromLabelsLib, TaskRunnerModelClient } from '@radflow/enrichment';
import { createTopicEvent, Topics } from '@radflow/events';
import { priorityPolicyFrom } from '@radflow/labels';
import { ModelHost } from '@radflow/model-runtime';
import type { RadiologyReport } from '@radflow/schemas';
import { readInputOutcomes } from './input-files.ts';

/**
 * `radflow enrich FILE...`: the whole enrichment in one process, no broker: read, filter, find the prior among
 * the given files (same patient, earlier), enrich with the model and the rules, print the enriched events.
 */
export async function runEnrich(files: string[]): Promise<number> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = createLogger('radflow-enrich', config.logLevel);
  const reports: RadiologyReport[] = [];
  let failures = 0;
  for (const { message, outcome } of readInputOutcomes(files, config)) {
    const file = message.source;
    if (!outcome.ok) {
      failures++;
      console.error(`${file}: ${outcome.error.code} — ${outcome.error.reason}`);
      continue;
    }
    for (const skipped of outcome.skipped)
      console.error(`${file}: skipped (${skipped.code}) — ${skipped.reason}`);
    reports.push(...outcome.accepted);
  }

  const host = config.inference.url
    ? undefined
    : await ModelHost.start(config.inference.modelDir, {
        threads: config.inference.threads,
        providers: config.inference.providers,
      });
  const runner = host ?? new HttpTaskRunner(config.inference.url, () => clientApiToken(config.api.auth));
  const enricher = new ReportEnricher(
    new TaskRunnerModelClient(runner),
    new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority)),
    {
      deadlineMs: config.inference.deadlineMs,
      labelSource: config.inference.labelSource,
      checkDraftImpression: config.inference.checkDraftImpression,
      onModelUnavailable: (report, failure) =>
        logger.warn(
          { accessionHash: logHash(report.accession), failure },
          'model unavailable, rules-only enrichment',
        ),
    },
  );
  try {
    for (const report of reports) {
      const enriched = await enricher.enrich(report, priorAmong(reports, report));
      const event = createTopicEvent(Topics.reportEnriched, enriched, {
        sourceMessageId: report.source.messageId,
        producer: 'radflow-enrich',
      });
      console.log(JSON.stringify(event, null, 2));
    }
  } finally {
    await host?.close();
  }
  return failures > 0 ? 1 : 0;
}

function priorAmong(reports: RadiologyReport[], report: RadiologyReport): RadiologyReport | undefined {
  const time = (r: RadiologyReport) => Date.parse(r.reportedAt ?? r.observedAt ?? '') || 0;
  return reports
    .filter(
      (r) =>
        r.patient.key === report.patient.key && r.accession !== report.accession && time(r) < time(report),
    )
    .sort((a, b) => time(b) - time(a))[0];
}
