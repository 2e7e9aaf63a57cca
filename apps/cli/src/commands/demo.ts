import { randomUUID } from 'node:crypto';
import { loadConfig, createLogger } from '@radflow/config';
import { DeadLetterHeaders, KafkaBus, Topics, deadLetterTopic, type Envelope } from '@radflow/events';
import { startHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { allApps } from '../app-catalog.ts';
import { formatEnrichedReport } from '../demo/print-results.ts';
import { loadSampleFeed } from '../demo/sample-feed.ts';
import { countWrittenResources } from '../demo/fhir-summary.ts';

/**
 * The embedded default end to end: all apps in this process, the sample feed produced to the inbound topics
 * of the local Kafka, and every outcome (enriched, skipped, dead-lettered) printed as it arrives.
 */
export async function runDemo(options: { timeoutSeconds: number }): Promise<number> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const host = await startHost(allApps, config, { processName: 'radflow-demo' });
  const observer = new KafkaBus(config.kafka, createLogger('radflow-demo', 'warn'));
  const feed = loadSampleFeed();
  const runId = randomUUID();
  const nameOfTrace = new Map(feed.map((message, index) => [`${runId}-${index}`, message.name]));
  const seen = new Set<string>();
  const accessions: string[] = [];

  console.log(`radflow demo: ${allApps.map((a) => a.name).join(', ')} running; sending ${feed.length} messages\n`);
  await observer.subscribe({
    groupId: `radflow-demo-${runId}`,
    stage: 'demo',
    topics: [Topics.reportEnriched, deadLetterTopic(Topics.inboundHl7v2), deadLetterTopic(Topics.inboundFhir)],
    fromBeginning: true, // filtered by this run's trace ids below
    handle: async (record) => {
      const traceId = record.headers['radflow-trace-id'] ?? '';
      const name = nameOfTrace.get(traceId);
      if (!name) return;
      if (record.topic === Topics.reportEnriched) {
        const event = observer.decodeEvent<ReportEnrichedPayload>(record);
        accessions.push(event.payload.report.accession);
        console.log(formatEnrichedReport(name, event.payload) + '\n');
      } else {
        console.log(`✗ ${name}  dead-lettered: ${record.headers[DeadLetterHeaders.errorCode]} — ${record.headers[DeadLetterHeaders.errorReason]}\n`);
      }
      seen.add(traceId);
    },
  });

  for (const [index, message] of feed.entries()) {
    await observer.publish(message.topic, [
      { key: null, value: message.bytes, headers: { 'radflow-trace-id': `${runId}-${index}` } },
    ]);
  }

  // Skipped reports (not a final chest X-ray) produce no event; the ingest log says why. Wait for the rest.
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let lastCount = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (seen.size !== lastCount) {
      lastCount = seen.size;
      quietSince = Date.now();
    }
    if (seen.size === feed.length || (seen.size > 0 && Date.now() - quietSince > 15_000)) break;
  }
  console.log(`${seen.size} of ${feed.length} messages produced an enriched result or a dead letter; the others were skipped by the filter (see the ingest log).`);
  const written = await countWrittenResources(config.fhir.baseUrl, accessions).catch((error: Error) => `FHIR summary unavailable: ${error.message}`);
  console.log(written);
  await observer.disconnect();
  await host.close();
  return accessions.length > 0 ? 0 : 1;
}
