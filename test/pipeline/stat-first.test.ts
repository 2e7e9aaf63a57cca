import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { loadConfig } from '@radflow/config';
import { enricherApp, triageApp } from '@radflow/enricher';
import { Topics } from '@radflow/events';
import { escapeKeyPart, tokenQuery } from '@radflow/fhir';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { worklistTaskApp, worklistTaskStatLaneApp, writebackApp } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import { fhirSearch, waitForFhir } from '../support/fhir-search.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

// Priority first (ARCHITECTURE): the rules' worklist priority is published and its FHIR Task written as soon as a
// report is read, whatever the model is doing. Here the inference service is frozen (it takes connections and never
// answers, like a process under SIGSTOP): the enricher is stuck on the first report of the burst, and the STAT
// report behind it must still reach the worklist. Then the service goes away, the drafts come through degraded.
const ROUTINE_AHEAD = Number(process.env.STAT_FIRST_ROUTINE_AHEAD ?? 30);

const frozenSockets = new Set<Socket>();
const frozenInference: Server = createServer((socket) => {
  frozenSockets.add(socket);
  socket.on('close', () => frozenSockets.delete(socket));
});
await new Promise<void>((resolve) => frozenInference.listen(0, '127.0.0.1', resolve));
const frozenPort = (frozenInference.address() as { port: number }).port;

const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-stat-${randomUUID()}`,
  // Fresh groups start at the end: older runs' records on the shared broker are not this test's burst.
  KAFKA_START_FROM: 'latest',
  INFERENCE_URL: `http://127.0.0.1:${frozenPort}`,
  INFERENCE_DEADLINE_MS: '120000',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
});
let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  collector = await EventCollector.start([
    Topics.inboundHl7v2,
    Topics.reportFinalized,
    Topics.reportTriaged,
    Topics.reportEnriched,
  ]);
  host = await startHost(
    [gatewayApp, ingestApp, triageApp, worklistTaskStatLaneApp, worklistTaskApp, enricherApp, writebackApp],
    config,
  );
});

function thawByStopping(): void {
  frozenInference.close();
  for (const socket of frozenSockets) socket.destroy();
}

afterAll(async () => {
  thawByStopping();
  await host?.close();
  await collector?.stop();
});

const accessionTag = (accession: string) =>
  tokenQuery('_tag', 'urn:radflow:accession', escapeKeyPart(accession));

const mentions = (accession: string) => (r: { value: Buffer | null }) =>
  r.value!.toString().includes(`"accession":"${accession}"`);

/** When each stage produced the STAT report's record, in ms after its ACK (where its time went). */
function hopTimes(accession: string, ackedAt: number): string {
  const at = (topic: string) => {
    const record = collector.records.find(
      (r) => r.topic === topic && (r.value?.toString().includes(accession) ?? false),
    );
    return record ? `${Number(record.timestamp) - ackedAt} ms` : 'not seen';
  };
  return [Topics.inboundHl7v2, Topics.reportFinalized, Topics.reportTriaged]
    .map((topic) => `${topic} ${at(topic)}`)
    .join(', ');
}

describe('STAT first: the worklist priority does not wait for the model', () => {
  const runTag = randomUUID().slice(0, 8);
  const routine = Array.from({ length: ROUTINE_AHEAD }, (_, i) =>
    uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}r${i}`),
  );
  const stat = uniqueHl7Sample('02-pneumothorax-stat.hl7', `${runTag}stat`);
  let statAckedAt = 0;

  it('acknowledges a burst of routine reports and then a tension pneumothorax', async () => {
    const port = host.app.get(MllpListener).port;
    for (const sample of routine) expect(await sendOverMllp(port, sample.bytes)).toContain('MSA|AA');
    expect(await sendOverMllp(port, stat.bytes)).toContain('MSA|AA');
    statAckedAt = Date.now();
  });

  it('writes the STAT worklist Task while the model has drafted nothing at all', async () => {
    let task: Task | undefined;
    const deadline = Date.now() + 60_000;
    // Polled often: the figure printed below is the ACK → Task latency an operator would see.
    while (!task && Date.now() < deadline) {
      task = (await fhirSearch<Task>(`Task?${accessionTag(stat.accession)}`)).entry?.[0]?.resource;
      if (!task) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const taskSeenAfterMs = Date.now() - statAckedAt;
    expect(task, 'no worklist Task within 60 s').toBeDefined();
    expect(task!.priority).toBe('stat');
    expect(task!.status).toBe('requested');
    expect(task!.description).toMatch(/pneumothorax/i);
    expect(task!.meta?.security ?? []).toEqual([]); // rules, not AI: no AIAST label
    // The model is frozen: the STAT report's draft has not been published (it follows later, degraded).
    expect(
      collector.records.some((r) => r.topic === Topics.reportEnriched && mentions(stat.accession)(r)),
    ).toBe(false);
    await collector.waitFor((r) => r.topic === Topics.reportTriaged && mentions(stat.accession)(r));
    console.info(
      `STAT worklist Task visible ${taskSeenAfterMs} ms after its ACK, ${ROUTINE_AHEAD} routine ahead; ` +
        `hops after the ACK (record timestamps): ${hopTimes(stat.accession, statAckedAt)}`,
    );
  });

  it('publishes one triaged event per report, STAT for the pneumothorax and routine for the normal ones', async () => {
    const [statRecord] = await collector.waitFor(
      (r) => r.topic === Topics.reportTriaged && mentions(stat.accession)(r),
    );
    const triaged = collector.bus.decodeEvent<ReportTriagedPayload>(statRecord!).payload;
    expect(triaged.triage.priority.level).toBe('stat');
    expect(triaged.triage.abnormalities).toContainEqual({ label: 'pneumothorax', state: 'present' });
    // Each report's own event: the topic has several partitions, so the last one sent is not the last one read.
    for (const sample of routine)
      await collector.waitFor((r) => r.topic === Topics.reportTriaged && mentions(sample.accession)(r));
    for (const sample of [...routine, stat]) {
      const events = collector.records.filter(
        (r) => r.topic === Topics.reportTriaged && mentions(sample.accession)(r),
      );
      expect(events, sample.accession).toHaveLength(1);
    }
  });

  it('ends with exactly one worklist Task per report once the drafts have caught up', async () => {
    thawByStopping(); // model gone: the enricher degrades to rules-only and catches up
    await collector.waitFor((r) => r.topic === Topics.reportEnriched && mentions(stat.accession)(r), {
      timeoutMs: 180_000,
    });
    for (const sample of [...routine, stat])
      await waitForFhir<Task>(`Task?${accessionTag(sample.accession)}`);
    for (const sample of [...routine, stat]) {
      const tasks = (await fhirSearch<Task>(`Task?${accessionTag(sample.accession)}`)).entry ?? [];
      expect(tasks, sample.accession).toHaveLength(1);
      expect(tasks[0]!.resource.priority).toBe(sample === stat ? 'stat' : 'routine');
    }
  });
});
