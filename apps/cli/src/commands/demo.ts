import { randomUUID } from 'node:crypto';
import { clientApiToken, createLogger, loadConfig } from '@radflow/config';
import { KafkaBus, Topics } from '@radflow/events';
import { MllpListener } from '@radflow/gateway';
import { chestXrayPolicyFrom, readInbound } from '@radflow/inbound';
import { startHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { WorklistServer } from '@radflow/worklist';
import { allApps } from '../app-catalog.ts';
import { countWrittenResources } from '../demo/fhir-summary.ts';
import { sendThroughGateway } from '../demo/gateway-client.ts';
import { formatEnrichedReport } from '../demo/print-results.ts';
import { loadSampleFeed } from '../demo/sample-feed.ts';

/**
 * The embedded default end to end: every app in this process on the local Kafka, PostgreSQL and FHIR server;
 * the sample feed goes in through the gateway's front doors (HL7 over MLLP, FHIR over HTTP) exactly as a
 * hospital's interface engine and EHR would send it, and each outcome is printed as it happens.
 */
export async function runDemo(options: { timeoutSeconds: number; stay?: boolean }): Promise<number> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const host = await startHost(allApps, config, { processName: 'radflow-demo' });
  const observer = new KafkaBus(config.kafka, createLogger('radflow-demo', 'warn'));
  const feed = loadSampleFeed(randomUUID().slice(0, 6));
  const policy = chestXrayPolicyFrom(config.rules.chestXray);
  const awaited = new Map<string, string>(); // source message id → sample name
  const printed = new Set<string>();
  const accessions: string[] = [];

  await observer.subscribe({
    groupId: `radflow-demo-${randomUUID()}`,
    stage: 'demo',
    topics: [Topics.reportEnriched],
    fromBeginning: true, // filtered to this run's messages below
    handle: async (record) => {
      const event = observer.decodeEvent<ReportEnrichedPayload>(record);
      const messageId = event.payload.report.source.messageId;
      const name = awaited.get(messageId);
      // Kafka delivers at least once: a record seen again (after a rebalance) is printed once.
      if (!name || printed.has(messageId)) return;
      printed.add(messageId);
      accessions.push(event.payload.report.accession);
      console.log(formatEnrichedReport(name, event.payload) + '\n');
    },
  });

  console.log(`radflow demo: ${allApps.map((a) => a.name).join(', ')} running in one process`);
  console.log(
    `worklist page: http://${config.worklist.host}:${host.app.get(WorklistServer).port}/` +
      (config.worklist.usersFile.endsWith('apps/worklist/users.embedded.json')
        ? ' (embedded demo users: radiologist / radflow-demo-reader)'
        : ''),
  );
  console.log(`sending ${feed.length} sample messages through the gateway (HL7 over MLLP, FHIR over HTTP)\n`);
  const endpoints = {
    mllpPort: host.app.get(MllpListener).port,
    httpPort: host.httpPort,
    // When the host requires API keys (API_KEYS, or a non-loopback bind), the demo calls like an authorised sender.
    bearerToken: clientApiToken(config.api.auth),
  };
  for (const message of feed) {
    const answer = await sendThroughGateway(message, endpoints);
    console.log(`→ ${message.name.padEnd(52)} ${answer}`);
    // The demo reads each message locally too, only to know which enriched results to wait for.
    const expected = readInbound(message.kind, message.bytes, {
      maxMessageBytes: config.ingest.maxMessageBytes,
      patientKeySalt: config.ingest.patientKeySalt,
      policy,
    });
    if (!expected.ok) continue;
    for (const report of expected.accepted) awaited.set(report.source.messageId, message.name);
    for (const skip of expected.skipped)
      console.log(`  ${''.padEnd(52)} skipped by the filter: ${skip.reason}`);
  }
  console.log('');

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  while (printed.size < awaited.size && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 250));
  console.log(`${printed.size} of ${awaited.size} finalized chest X-ray reports enriched.`);
  console.log(
    await countWrittenResources(config.fhir.baseUrl, accessions).catch(
      (e: Error) => `FHIR summary unavailable: ${e.message}`,
    ),
  );
  await observer.disconnect();
  if (options.stay) {
    console.log('the worklist page stays open until interrupted (Ctrl-C)');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await host.close();
  return printed.size === awaited.size && awaited.size > 0 ? 0 : 1;
}
