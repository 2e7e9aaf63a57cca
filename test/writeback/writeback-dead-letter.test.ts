import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '@medplum/fhirtypes';
import { DeadLetterHeaders, deadLetterTopic, Topics } from '@radflow/events';
import { WRITEBACK_KEY_TAG_SYSTEM, writebackKey } from '@radflow/fhir';
import type { RunningHost } from '@radflow/platform';
import { EventCollector } from '../support/event-collector.ts';
import {
  enrichedEvent,
  enrichedReport,
  newWritebackRun,
  publishEnriched,
  startWriteback,
  token,
} from './writeback-harness.ts';

const { run, config, fhir, patientKey } = newWritebackRun();
let host: RunningHost;
let collector: EventCollector;
let patient = '';

beforeAll(async () => {
  collector = await EventCollector.start([Topics.outboundHl7v2, deadLetterTopic(Topics.reportEnriched)]);
  [patient] = (await fhir.create([{ resourceType: 'Patient', active: true }])) as [string];
  host = await startWriteback(config, collector.bus);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

describe('a resource the FHIR server rejects', () => {
  it('goes to the dead-letter topic with the server’s reason, leaves no live AI resource, and the next report is written', async () => {
    const labels = [
      'atelectasis',
      'cardiomegaly',
      'consolidation',
      'edema',
      'emphysema',
      'fibrosis',
      'pneumonia',
      'pneumothorax',
    ].map((label) => ({ label, state: 'absent' as const, source: 'model' as const }));
    // A coding system with spaces is not a FHIR uri: the server answers 400 with an OperationOutcome. Eight
    // labels put the AI report in the second transaction, after the first one has written observations.
    const rejected = enrichedReport(run, {
      index: 1,
      patient: { key: patientKey, fhirReference: patient },
      labels,
      procedureSystem: 'local chest codes',
    });
    const accepted = enrichedReport(run, { index: 2, patient: { key: patientKey, fhirReference: patient } });
    const [bad, good] = [enrichedEvent(run, rejected), enrichedEvent(run, accepted)];
    await publishEnriched(collector.bus, [bad!, good!]);

    const [deadLetter] = await collector.waitFor(
      (r) =>
        r.topic === deadLetterTopic(Topics.reportEnriched) && r.headers['radflow-trace-id'] === bad!.traceId,
    );
    expect(deadLetter!.headers[DeadLetterHeaders.errorCode]).toBe('FHIR_REJECTED');
    expect(deadLetter!.headers[DeadLetterHeaders.stage]).toBe('writeback');
    const reason = deadLetter!.headers[DeadLetterHeaders.errorReason]!;
    expect(reason).toMatch(/^FHIR transaction failed with HTTP 400: error \w+: .*uri/i);
    expect(reason).not.toContain('local chest codes');
    expect(JSON.parse(deadLetter!.value!.toString('utf8'))).toEqual(bad);

    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id'] === good!.traceId,
    );
    expect(
      collector.records.some(
        (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id'] === bad!.traceId,
      ),
    ).toBe(false);

    // The first transaction's observations were retired when the second was rejected; no report was created.
    const key = writebackKey(rejected);
    expect(await fhir.count(`DiagnosticReport?_tag=${token(WRITEBACK_KEY_TAG_SYSTEM, key)}`)).toBe(0);
    const orphans = await fhir.search<Observation>(`Observation?subject=${patient}&_count=100`);
    const ofRejected = orphans.filter((o) => o.identifier?.[0]?.value?.startsWith(`${key}/`));
    expect(ofRejected.length).toBe(7);
    expect(ofRejected.every((o) => o.status === 'entered-in-error')).toBe(true);
    const ofAccepted = orphans.filter((o) =>
      o.identifier?.[0]?.value?.startsWith(`${writebackKey(accepted)}/`),
    );
    expect(ofAccepted.map((o) => o.status)).toEqual(['preliminary', 'preliminary']);
  });
});
