// Intake throughput on the real broker and database, where the model is not involved: the gateway's MLLP ACK rate and
// latency, and HL7 bytes → rad.report.finalized.v1 through ingest. Two variants in the same run: micro-batched commits
// (KAFKA_MICRO_BATCH_RECORDS, default 100) against the named baseline `per-record` (a transaction per record, as
// before). Needs `infra/run up`. Usage: npm run bench -w @radflow/e2e -- [--messages 1000] [--connections 4]
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@radflow/config';
import { KafkaBus, Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { frameMllp, MllpDeframer } from '@radflow/hl7';
import { ingestApp } from '@radflow/ingest';
import { startHost } from '@radflow/platform';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '1000' }, connections: { type: 'string', default: '4' } },
});
const messages = Number(values.messages);
const connections = Number(values.connections);

/** One interface-engine connection: a message, its ACK, the next (what MLLP senders do). */
class MllpSender {
  private readonly deframer = new MllpDeframer({ maxMessageBytes: 1_000_000 });
  private waiting: ((ack: string) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const event of this.deframer.push(chunk))
        if (event.kind === 'message') this.waiting?.(Buffer.from(event.payload).toString('latin1'));
    });
  }

  static open(port: number): Promise<MllpSender> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new MllpSender(socket)));
      socket.once('error', reject);
    });
  }

  send(message: Buffer): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(frameMllp(message));
    });
  }

  close(): void {
    this.socket.end();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

interface VariantResult {
  variant: string;
  microBatchRecords: number;
  gatewayMessagesPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  intakeReportsPerSecond: number;
  ingestDrainSeconds: number;
}

async function measure(variant: string, microBatchRecords: number): Promise<VariantResult> {
  const runTag = randomUUID().slice(0, 6);
  const config = loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `bench-intake-${runTag}`,
    KAFKA_START_FROM: 'latest',
    KAFKA_MICRO_BATCH_RECORDS: String(microBatchRecords),
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    LOG_LEVEL: 'error',
  });
  const samples = Array.from({ length: messages }, (_, i) =>
    uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}n${i}`),
  );
  const wanted = new Set(samples.map((s) => s.accession));
  const finalized = new Set<string>();
  let lastFinalizedAt = 0;
  const observer = new KafkaBus(config.kafka, createLogger('bench-intake', 'error'));
  const stopObserver = await observer.subscribe({
    groupId: `bench-intake-observer-${runTag}`,
    stage: 'bench',
    topics: [Topics.reportFinalized],
    startFrom: 'latest',
    handle: async (record) => {
      const accession = /"accession":"([^"]+)"/.exec(record.value?.toString() ?? '')?.[1];
      if (accession && wanted.has(accession) && !finalized.has(accession)) {
        finalized.add(accession);
        lastFinalizedAt = performance.now();
      }
    },
  });
  const host = await startHost([gatewayApp, ingestApp], config, { processName: `bench-intake-${variant}` });
  const port = host.app.get(MllpListener).port;
  const senders = await Promise.all(Array.from({ length: connections }, () => MllpSender.open(port)));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    senders.map(async (sender) => {
      for (let i = next++; i < samples.length; i = next++) {
        const sent = performance.now();
        const ack = await sender.send(samples[i]!.bytes);
        if (!ack.includes('MSA|AA')) throw new Error(`message ${i} was not accepted`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const acked = performance.now();
  for (const sender of senders) sender.close();
  const deadline = Date.now() + 600_000;
  while (finalized.size < wanted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (finalized.size < wanted.size)
    throw new Error(`${variant}: ${finalized.size} of ${wanted.size} finalized`);
  await host.close();
  await stopObserver();
  await observer.disconnect();
  latencies.sort((a, b) => a - b);
  const seconds = (ms: number) => ms / 1000;
  return {
    variant,
    microBatchRecords,
    gatewayMessagesPerSecond: messages / seconds(acked - started),
    ackP50Ms: percentile(latencies, 0.5),
    ackP99Ms: percentile(latencies, 0.99),
    intakeReportsPerSecond: messages / seconds(lastFinalizedAt - started),
    ingestDrainSeconds: seconds(lastFinalizedAt - acked),
  };
}

const baseline = await measure('per-record (baseline)', 1);
const batched = await measure('micro-batched', loadConfig().kafka.microBatchRecords);
const rows = [baseline, batched];
console.log(
  `\nintake bench: ${messages} HL7 ORU^R01 over ${connections} MLLP connections, gateway + ingest in one process`,
);
console.table(
  rows.map((r) => ({
    variant: r.variant,
    'gateway msg/s': r.gatewayMessagesPerSecond.toFixed(0),
    'ACK p50 ms': r.ackP50Ms.toFixed(1),
    'ACK p99 ms': r.ackP99Ms.toFixed(1),
    'HL7 → finalized reports/s': r.intakeReportsPerSecond.toFixed(0),
    'ingest drain after last ACK s': r.ingestDrainSeconds.toFixed(2),
  })),
);
console.log(
  `micro-batched vs baseline: intake ×${(batched.intakeReportsPerSecond / baseline.intakeReportsPerSecond).toFixed(2)}, ` +
    `gateway ×${(batched.gatewayMessagesPerSecond / baseline.gatewayMessagesPerSecond).toFixed(2)}`,
);
const outDir = new URL('../../.cache/bench/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(
  new URL('intake.json', outDir),
  JSON.stringify({ measuredAt: new Date().toISOString(), messages, connections, rows }, null, 2),
);
process.exit(0);
