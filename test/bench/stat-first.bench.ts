// STAT first under load (issue 14): a burst of routine chest X-rays, then a tension pneumothorax, over MLLP; the time
// from the pneumothorax's ACK to its STAT worklist Task being readable in FHIR, round after round. The named baseline
// `no STAT lane` runs the same rounds without worklist-task-stat, so the STAT Task waits behind the burst in ingest,
// triage and worklist-task like every other report. The model is not involved (the Task comes from the rules).
// Needs `infra/run up`. Usage: npm run bench:stat -w @radflow/e2e -- [--rounds 10] [--routine 300]
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Task } from '@medplum/fhirtypes';
import { loadConfig } from '@radflow/config';
import { triageApp } from '@radflow/enricher';
import { escapeKeyPart, tokenQuery } from '@radflow/fhir';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RadflowApp } from '@radflow/platform';
import { worklistTaskApp, worklistTaskStatLaneApp } from '@radflow/writeback';
import { waitForFhir } from '../support/fhir-search.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '10' }, routine: { type: 'string', default: '300' } },
});
const rounds = Number(values.rounds);
const routineAhead = Number(values.routine);
// An interface engine's burst: a few connections, each sending its next message once the last is acknowledged.
const CONNECTIONS = 4;

async function sendBurst(port: number, samples: { bytes: Buffer }[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = next++; i < samples.length; i = next++) {
        const ack = await sendOverMllp(port, samples[i]!.bytes);
        if (!ack.includes('MSA|AA')) throw new Error(`routine message ${i} was not accepted`);
      }
    }),
  );
}

/** The report's worklist Task, polled every 10 ms: the poll interval bounds the error of the figure. */
async function waitForTask(accession: string, timeoutMs: number): Promise<Task> {
  const query = `Task?${tokenQuery('_tag', 'urn:radflow:accession', escapeKeyPart(accession))}`;
  const [task] = await waitForFhir<Task>(query, 1, timeoutMs, 10);
  return task!;
}

async function measure(variant: string, apps: RadflowApp[]): Promise<number[]> {
  const runTag = randomUUID().slice(0, 6);
  const config = loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `bench-stat-${runTag}`,
    KAFKA_START_FROM: 'latest',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    LOG_LEVEL: 'error',
  });
  const host = await startHost(apps, config, { processName: `bench-stat-${runTag}` });
  const port = host.app.get(MllpListener).port;
  const latencies: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const routine = Array.from({ length: routineAhead }, (_, i) =>
        uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}${round}r${i}`),
      );
      const stat = uniqueHl7Sample('02-pneumothorax-stat.hl7', `${runTag}${round}stat`);
      await sendBurst(port, routine);
      if (!(await sendOverMllp(port, stat.bytes)).includes('MSA|AA')) throw new Error('STAT message refused');
      const ackedAt = performance.now();
      const task = await waitForTask(stat.accession, 120_000);
      latencies.push(performance.now() - ackedAt);
      if (task.priority !== 'stat') throw new Error(`the pneumothorax's Task is ${task.priority}, not stat`);
      // The next round starts once this burst's routine Tasks are written, so each round sees one burst ahead.
      for (const sample of routine.slice(-5)) await waitForTask(sample.accession, 300_000);
      process.stderr.write(`${variant}: round ${round + 1}/${rounds} ${latencies.at(-1)!.toFixed(0)} ms\n`);
    }
  } finally {
    await host.close();
  }
  return latencies;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

const common = [gatewayApp, ingestApp, triageApp, worklistTaskApp];
const baseline = await measure('no STAT lane (baseline)', common);
const withLane = await measure('STAT lane (default)', [...common, worklistTaskStatLaneApp]);
const rows = [
  ['no STAT lane (baseline)', baseline],
  ['STAT lane (default)', withLane],
].map(([variant, latencies]) => {
  const sorted = [...(latencies as number[])].sort((a, b) => a - b);
  return {
    variant: variant as string,
    rounds: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1)!,
    latenciesMs: latencies as number[],
  };
});
console.log(
  `\nSTAT-first bench: ${rounds} rounds of ${routineAhead} routine reports over ${CONNECTIONS} MLLP connections, ` +
    `then a tension pneumothorax; ACK → its STAT worklist Task readable in FHIR`,
);
console.table(
  rows.map((r) => ({
    variant: r.variant,
    rounds: r.rounds,
    'p50 ms': r.p50Ms.toFixed(0),
    'p90 ms': r.p90Ms.toFixed(0),
    'p99 ms': r.p99Ms.toFixed(0),
    'max ms': r.maxMs.toFixed(0),
  })),
);
console.log(`STAT lane vs baseline: p99 ×${(rows[0]!.p99Ms / rows[1]!.p99Ms).toFixed(1)} faster`);
const outDir = new URL('../../.cache/bench/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(
  new URL('stat-first.json', outDir),
  JSON.stringify(
    { measuredAt: new Date().toISOString(), rounds, routineAhead, connections: CONNECTIONS, rows },
    null,
    2,
  ),
);
process.exit(0);
