import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { DiagnosticReport } from '@medplum/fhirtypes';
import { createLogger, loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { allTopics, KafkaBus, kafkaClientSecurity, Topics, type ConsumedRecord } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { writebackApp } from '@radflow/writeback';
import { waitForFhir } from '../support/fhir-search.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

/**
 * Issue 17: radflow's pipeline through a Kafka cluster that takes clients only over TLS with SASL/SCRAM-SHA-512.
 * infra/kafka-secure.sh runs a second single-node broker for it (SASL_SSL on 127.0.0.1:9192, a CA and SCRAM users
 * of its own) beside the suite's PLAINTEXT broker, which this test never uses. The apps run in-process with the
 * broker's client settings (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*); PostgreSQL and the FHIR server are the
 * suite's. Then clients that must be refused: a wrong password, an unknown user, no TLS, TLS without the CA.
 */
const SCRIPT = `${repoRoot}infra/kafka-secure.sh`;
const BROKER_LOG = `${repoRoot}.cache/kafka-secure/logs/kafka.log`;
const runTag = randomUUID().slice(0, 8);
const reports = ['02-pneumothorax-stat.hl7', '01-normal-pa-lateral.hl7'].map((file) =>
  uniqueHl7Sample(file, runTag),
);

function secureBroker(
  command: 'start' | 'stop' | 'status' | 'env',
  timeoutMs: number,
  env: Record<string, string> = {},
) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      [SCRIPT, command],
      { timeout: timeoutMs, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 124) : 0, stdout, stderr }),
    );
  });
}

/** The broker's log from `offset` on: it names why it refused a connection. */
async function brokerLogAfter(offset: number, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = readFileSync(BROKER_LOG, 'utf8').slice(offset);
    if (pattern.test(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let startedHere = false;
let secureEnv: Record<string, string> = {};
let config: RadflowConfig;
let host: RunningHost | undefined;
let reader: KafkaBus | undefined;
const records: ConsumedRecord[] = [];
const hostLogs: string[] = [];

async function waitForRecord(topic: string, accession: string, timeoutMs = 60_000): Promise<ConsumedRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = records.find((r) => r.topic === topic && r.value!.toString('latin1').includes(accession));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${topic} record for ${accession} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * On a broker that has just created a topic, ListOffsets may answer NOT_LEADER_OR_FOLLOWER for a moment after the
 * leader shows in the metadata; KafkaBus positions `latest` groups with it and does not retry that. So on a fresh
 * secure broker (a CI clone's first run) the test waits until every topic answers before the stages subscribe.
 */
async function waitForTopicOffsets(kafka: RadflowConfig['kafka'], topics: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: `e2e-scram-offsets-${runTag}`,
    brokers: kafka.brokers,
    ...kafkaClientSecurity(kafka),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 30_000;
    for (const topic of topics) {
      for (;;) {
        try {
          await admin.fetchTopicOffsets(topic);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** A kafkajs client made from radflow's settings (kafkaClientSecurity) that tries once: the refusals are quick. */
async function connectOnce(kafka: RadflowConfig['kafka']): Promise<Error | undefined> {
  const admin = new Kafka({
    clientId: `e2e-scram-refused-${runTag}`,
    brokers: kafka.brokers,
    ...kafkaClientSecurity(kafka),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** 9192/9193, or 19192/19193 when another checkout's secure broker (or anything else) holds those. */
async function freePorts(): Promise<Record<string, string>> {
  const open = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  for (const port of [9192, 19192]) {
    if (!(await open(port)) && !(await open(port + 1)))
      return { KAFKA_SECURE_PORT: String(port), KAFKA_SECURE_CONTROLLER_PORT: String(port + 1) };
  }
  throw new Error('ports 9192/9193 and 19192/19193 on 127.0.0.1 are all taken');
}

const timings: string[] = [];
const t0 = Date.now();
const mark = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);

beforeAll(async () => {
  // Another run from this checkout may have it up already: then use it and leave it running.
  if ((await secureBroker('status', 30_000)).code !== 0) {
    const started = await secureBroker('start', 150_000, await freePorts());
    expect(started.code, `infra/kafka-secure.sh start failed:\n${started.stderr}`).toBe(0);
    startedHere = true;
  }
  mark(startedHere ? 'secure broker started' : 'secure broker already running');
  const env = await secureBroker('env', 10_000);
  expect(env.code).toBe(0);
  secureEnv = Object.fromEntries(
    env.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  config = loadConfig({
    ...process.env,
    ...secureEnv,
    KAFKA_GROUP_PREFIX: `e2e-scram-${runTag}`,
    // The secure broker keeps its topics between runs: fresh groups start at their ends.
    KAFKA_START_FROM: 'latest',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    METRICS_PORT: '0',
    MODEL_DIR: `${repoRoot}models/tiny-random`,
    LOG_LEVEL: 'warn',
  });

  reader = new KafkaBus(config.kafka, createLogger('e2e-scram-reader', 'warn'));
  await reader.createTopics(allTopics());
  await waitForTopicOffsets(config.kafka, allTopics());
  await reader.subscribe({
    groupId: `e2e-scram-reader-${runTag}`,
    stage: 'e2e',
    topics: [Topics.reportEnriched, Topics.outboundHl7v2],
    startFrom: 'earliest',
    handle: async (record) => void records.push(record),
  });
  host = await startHost([gatewayApp, ingestApp, enricherApp, writebackApp], config, {
    processName: 'e2e-scram-tls',
    logDestination: { write: (line: string) => void hostLogs.push(line) },
  });
  mark('apps started');
}, 200_000);

afterAll(async () => {
  await host?.close();
  await reader?.disconnect();
  if (startedHere) {
    const stopped = await secureBroker('stop', 90_000);
    expect(stopped.code, stopped.stderr).toBe(0);
  }
  mark(startedHere ? 'secure broker stopped' : 'done');
  console.log(`kafka-scram-tls: ${timings.join(', ')}`);
}, 120_000);

describe('the pipeline through a TLS + SASL/SCRAM-SHA-512 broker', () => {
  it("is configured for the secure listener only, from infra/kafka-secure.sh's client settings", () => {
    expect(config.kafka.brokers).toEqual([secureEnv.KAFKA_BROKERS]);
    expect(config.kafka.brokers[0]).toMatch(/^127\.0\.0\.1:(9192|19192)$/);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sslCaFile).toMatch(/\.cache\/kafka-secure\/tls\/ca\.pem$/);
    expect(config.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(config.kafka.sasl?.username).toBe('radflow');
    expect(config.kafka.sasl?.password.length).toBeGreaterThanOrEqual(16);
  });

  it('acknowledges reports sent over MLLP once they are on the secure broker', async () => {
    const port = host!.app.get(MllpListener).port;
    for (const report of reports) {
      expect(await sendOverMllp(port, report.bytes)).toMatch(new RegExp(`MSA\\|AA\\|${report.controlId}`));
    }
  });

  it('enriches each report: the event is read back from the secure broker', async () => {
    for (const report of reports) {
      const record = await waitForRecord(Topics.reportEnriched, `"accession":"${report.accession}"`);
      const { payload } = reader!.decodeEvent<ReportEnrichedPayload>(record);
      expect(payload.report.accession).toBe(report.accession);
      expect(payload.report.status).toBe('final');
      expect(payload.enrichment.status).toBe('preliminary');
      expect(payload.enrichment.aiGenerated).toBe(true);
    }
    const [stat] = reports;
    const { payload } = reader!.decodeEvent<ReportEnrichedPayload>(
      await waitForRecord(Topics.reportEnriched, `"accession":"${stat!.accession}"`),
    );
    expect(payload.enrichment.priority.level).toBe('stat');
  });

  it('writes the AI DiagnosticReports to FHIR and sends the outbound ORU over the secure broker', async () => {
    for (const report of reports) {
      const [aiReport] = await waitForFhir<DiagnosticReport>(
        `DiagnosticReport?identifier=${encodeURIComponent(`urn:radflow:accession|${report.accession}`)}`,
        1,
        60_000,
      );
      expect(aiReport!.status).toBe('preliminary');
      const oru = await waitForRecord(Topics.outboundHl7v2, report.accession);
      expect(oru.value!.toString('latin1')).toMatch(/^MSH\|.*\|ORU\^R01/);
    }
    mark('reports through');
  });

  it('never logs the SASL password', () => {
    const password = config.kafka.sasl!.password;
    expect(hostLogs.join('\n')).not.toContain(password);
  });
});

describe('clients the secure broker refuses', () => {
  it('refuses a wrong password: SASL authentication failed, and the password is not logged', async () => {
    const logOffset = statSync(BROKER_LOG).size;
    const wrongPassword = `wrong-${randomUUID()}`;
    const lines: string[] = [];
    const bus = new KafkaBus(
      loadConfig({ ...process.env, ...secureEnv, KAFKA_SASL_PASSWORD: wrongPassword }).kafka,
      createLogger('e2e-scram-wrong-password', 'warn', { write: (line: string) => void lines.push(line) }),
    );
    const started = Date.now();
    try {
      await expect(bus.createTopics([`e2e.scram.refused.${runTag}`])).rejects.toMatchObject({
        name: 'KafkaJSSASLAuthenticationError',
        message: expect.stringMatching(
          /SASL SCRAM SHA512 authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
        ),
      });
    } finally {
      await bus.disconnect().catch(() => undefined);
    }
    // Not retried: a refused password is final.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(lines.join('\n')).not.toContain(wrongPassword);
    expect(await brokerLogAfter(logOffset, /invalid credentials/)).toMatch(
      /Failed authentication with \/127\.0\.0\.1 .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
    );
  });

  it('refuses a user it does not know', async () => {
    const error = await connectOnce(
      loadConfig({ ...process.env, ...secureEnv, KAFKA_SASL_USERNAME: `nobody-${runTag}` }).kafka,
    );
    expect(error?.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error?.message).toMatch(/SASL SCRAM SHA512 authentication failed/);
  });

  it('refuses a client without TLS (the TLS handshake fails at the broker)', async () => {
    const logOffset = statSync(BROKER_LOG).size;
    const plain = loadConfig({
      ...process.env,
      ...secureEnv,
      KAFKA_SSL: 'false',
      KAFKA_SSL_CA_FILE: '',
    }).kafka;
    expect(plain.ssl).toBe(false);
    const error = await connectOnce(plain);
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/Closed connection|ECONNRESET|Connection error/);
    expect(await brokerLogAfter(logOffset, /SSL handshake failed/)).toMatch(
      /Failed authentication with \/127\.0\.0\.1 .*\(SSL handshake failed\)/,
    );
  });

  it("refuses to trust the broker without the CA file: its certificate is not one Node's CAs signed", async () => {
    const error = await connectOnce(
      loadConfig({ ...process.env, ...secureEnv, KAFKA_SSL_CA_FILE: '' }).kafka,
    );
    expect(error?.message).toMatch(
      /self[- ]signed certificate in certificate chain|unable to get local issuer/,
    );
  });
});
