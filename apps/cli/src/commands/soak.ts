import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { allApps } from '../app-catalog.ts';
import { AppFleet } from '../soak/app-processes.ts';
import { assertFaultTargets, FaultRecovery, infra, injectFault } from '../soak/faults.ts';
import { sendUntilAccepted } from '../soak/mllp-sender.ts';
import { SoakCounter } from '../soak/soak-counter.ts';
import { faultLabel, planFaults, SCALED_APPS, SoakPlanError, sendRate } from '../soak/soak-plan.ts';
import { SOAK_TEMPLATES, soakMessage } from '../soak/soak-samples.ts';
import { formatVerdict, judge, type FaultWindow, type SentReport } from '../soak/soak-verdict.ts';

export interface SoakOptions {
  reports: number;
  /** Apps to run as child processes; the consuming ones, the gateway and inference get `instances` processes each. */
  apps: string[];
  instances: number;
  kill: string[];
  postgres: boolean;
  fhirFreezeSeconds: number;
  kafkaDownSeconds: number;
  /**
   * Run against the local three-broker cluster (infra/kafka-cluster.sh, started if needed) instead of the configured
   * brokers: topics with `partitions` partitions and replication factor 3.
   */
  cluster: boolean;
  partitions: number;
  /** With `cluster`: SIGKILL broker `brokerNode`, start it again after this long; 0: no broker fault. */
  brokerKillSeconds: number;
  brokerNode: number;
  /** The faults in turn this many times (the broker killed moves to the next node each round). */
  rounds: number;
  /** Reports per second; 0: spread the reports over the faults (sendRate). */
  rate: number;
  warmupSeconds: number;
  gapSeconds: number;
  restartDelaySeconds: number;
  /** Quiet time before the counts are final, and the bound on the whole run. */
  quietSeconds: number;
  timeoutMinutes: number;
}

const MAX_REPORTS = 100_000;

// A negative delay (the sender behind its schedule after a failover) means "now"; Node warns on one.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The soak kills and stops services: only ever the local ones. */
function assertLoopback(config: RadflowConfig): void {
  const hosts = [
    ...config.kafka.brokers.map((broker) => broker.split(':')[0]!),
    new URL(config.database.url).hostname,
    new URL(config.fhir.baseUrl).hostname,
  ];
  const remote = hosts.filter((host) => !['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host));
  if (remote.length > 0)
    throw new SoakPlanError(`the soak runs on loopback services only; configured: ${remote.join(', ')}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `radflow soak`: N reports through the real pipeline while faults are injected in turn; exit 1 on loss or duplicate. */
export async function runSoak(options: SoakOptions): Promise<number> {
  const startedAt = Date.now();
  if (options.cluster && options.kafkaDownSeconds > 0)
    throw new SoakPlanError(
      "--kafka-down stops infra/kafka.sh's single broker; against the cluster use --broker-kill",
    );
  if (!options.cluster && options.brokerKillSeconds > 0)
    throw new SoakPlanError('--broker-kill kills a broker of the three-broker cluster: add --cluster');
  // The cluster's brokers, partitions and replication factor for the soak's children and its own counter alike.
  const kafkaEnv: NodeJS.ProcessEnv = options.cluster
    ? {
        KAFKA_BROKERS: (
          await infra('kafka-cluster.sh', 'start').then(() => infra('kafka-cluster.sh', 'brokers'))
        ).trim(),
        KAFKA_TOPIC_PARTITIONS: String(options.partitions),
        KAFKA_REPLICATION_FACTOR: '3',
      }
    : {};
  const config = loadConfig({ ...process.env, ...kafkaEnv });
  assertLoopback(config);
  const run = randomUUID().slice(0, 8).toUpperCase();
  const faults = Array.from({ length: options.rounds }, (_, round) =>
    planFaults({ ...options, brokerNode: ((options.brokerNode - 1 + round) % 3) + 1 }, options.apps),
  ).flat();
  assertFaultTargets(faults, config);
  const timing = {
    warmupSeconds: options.warmupSeconds,
    gapSeconds: options.gapSeconds,
    restartDelaySeconds: options.restartDelaySeconds,
    sessionTimeoutSeconds: config.kafka.sessionTimeoutMs / 1000,
  };
  const rate = options.rate > 0 ? options.rate : sendRate(options.reports, faults, timing);
  const deadline = startedAt + options.timeoutMinutes * 60_000;
  const elapsed = () => `+${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s`;
  const say = (line: string) => console.log(`[soak ${elapsed()}] ${line}`);

  const ports = () => Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const [mllpPorts, httpPorts, inferencePorts] = await Promise.all([ports(), ports(), ports()]);
  const runsInference = options.apps.includes('inference');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...kafkaEnv,
    // Fresh groups of this run only, positioned at the topics' ends before they join: other runs' records are
    // never processed, and a restarted instance resumes from the committed offsets.
    KAFKA_GROUP_PREFIX: `radflow-soak-${run}`,
    KAFKA_START_FROM: 'latest',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    METRICS_PORT: '0',
    // The first instance's ports; each gateway and inference instance gets its own below (envOf).
    GATEWAY_MLLP_PORT: String(mllpPorts[0]),
    GATEWAY_HTTP_PORT: String(httpPorts[0]),
    INFERENCE_PORT: String(inferencePorts[0]),
    ...(runsInference ? { INFERENCE_URL: `http://127.0.0.1:${inferencePorts[0]}/inference` } : {}),
    RETRAINER_HTTP_PORT: '0',
    RETRAIN_AUTO: 'false', // no training in a soak: the CPU is the pipeline's
    WORKLIST_PORT: '0',
  };
  const logDir = `${repoRoot}.cache/soak/${run}`;
  // Each instance listens on its own ports; enricher #k calls inference #k (the first when inference is not scaled).
  const envOf = (app: string) => (ordinal: number) => {
    const i = (ordinal - 1) % options.instances;
    if (app === 'gateway')
      return { GATEWAY_MLLP_PORT: String(mllpPorts[i]), GATEWAY_HTTP_PORT: String(httpPorts[i]) };
    if (app === 'inference') return { INFERENCE_PORT: String(inferencePorts[i]) };
    if (app === 'enricher' && runsInference)
      return { INFERENCE_URL: `http://127.0.0.1:${inferencePorts[i]}/inference` };
    return {};
  };
  const fleet = new AppFleet(
    options.apps.map((app) => ({
      app,
      count: SCALED_APPS.includes(app) ? options.instances : 1,
      envOf: envOf(app),
    })),
    env,
    logDir,
    say,
  );
  const recovery = new FaultRecovery();
  const counter = new SoakCounter(config, run);
  const windows: FaultWindow[] = [];
  const sent: SentReport[] = [];
  const interrupted = () =>
    void recovery.recover().finally(() => fleet.stop().finally(() => process.exit(130)));
  process.once('SIGINT', interrupted);

  say(
    `run ${run}: ${options.reports} reports at ${rate.toFixed(1)}/s over MLLP; apps ${fleet.instances.map((i) => i.name).join(' ')}`,
  );
  say(`faults in turn: ${faults.map(faultLabel).join(', ') || 'none'}`);
  say(
    options.cluster
      ? `Kafka: three-broker cluster ${config.kafka.brokers.join(',')}, topics with ${options.partitions} partitions, replication factor 3`
      : `Kafka: ${config.kafka.brokers.join(',')} (--cluster: the three-broker cluster of infra/kafka-cluster.sh)`,
  );
  say(`child logs: ${logDir}`);
  try {
    await fleet.start();
    say(`${fleet.instances.length} processes serving`);

    const templates = SOAK_TEMPLATES.map((file) =>
      readFileSync(`${repoRoot}test/fixtures/demo/${file}`, 'latin1'),
    );
    const send = async () => {
      const sendStart = Date.now();
      let resends = 0;
      let lastProgress = 0;
      for (let index = 0; index < options.reports; index++) {
        await sleep(sendStart + (index * 1000) / rate - Date.now());
        const message = soakMessage(templates[index % templates.length]!, run, index);
        // Round robin over the gateways; a refused or unanswered attempt goes to the next one.
        resends += (await sendUntilAccepted(mllpPorts, message.bytes, deadline, index)) - 1;
        sent.push({ index, accession: message.accession, ackedAt: Date.now() });
        if (Date.now() - lastProgress > 10_000 || index === options.reports - 1) {
          say(`sent ${index + 1}/${options.reports} (acknowledged AA; ${resends} resent)`);
          lastProgress = Date.now();
        }
      }
    };
    const inject = async () => {
      await sleep(options.warmupSeconds * 1000);
      for (const fault of faults) {
        const window = { label: faultLabel(fault), startedAt: Date.now(), endedAt: 0 };
        say(`fault: ${window.label} …`);
        await injectFault(fault, { fleet, recovery, restartDelayMs: options.restartDelaySeconds * 1000 });
        window.endedAt = Date.now();
        windows.push(window);
        say(`fault over: ${window.label} (${((window.endedAt - window.startedAt) / 1000).toFixed(1)} s)`);
        await sleep(options.gapSeconds * 1000);
      }
    };
    await Promise.all([send(), inject()]);

    const accessions = sent.map((report) => report.accession);
    say('all sent and every fault over: counting (Kafka from the beginning at read_committed, then FHIR)');
    await counter.startReading();
    await counter.settleKafka(accessions, {
      quietMs: options.quietSeconds * 1000,
      stallMs: Math.max(120_000, options.quietSeconds * 1000),
      deadline,
      progress: say,
    });
    // The FHIR count gets at least 30 s even when the Kafka wait used the whole bound.
    await counter.countFhir(accessions, { deadline: Math.max(deadline, Date.now() + 30_000), progress: say });
    const exits = fleet.unexpectedExits();
    if (exits > 0) say(`${exits} child exits the soak did not cause (restarted; see the logs)`);

    const verdict = judge(sent, counter.counts, windows);
    console.log(
      `\nsoak ${run}: ${options.reports} reports, faults: ${faults.map(faultLabel).join(', ') || 'none'}`,
    );
    console.log(formatVerdict(verdict, Date.now() - startedAt));
    return verdict.ok ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', interrupted);
    await recovery.recover();
    await counter.stop().catch(() => undefined);
    await fleet.stop();
  }
}

/** The commander options as typed soak options; `--all-faults` turns every fault on at the full run's settings. */
export function soakOptionsFrom(raw: Record<string, string | boolean | undefined>): SoakOptions {
  const all = raw.allFaults === true;
  const cluster = raw.cluster === true;
  const apps = String(raw.apps ?? 'all') === 'all' ? allApps.map((a) => a.name) : String(raw.apps).split(',');
  const kill = all ? apps : raw.kill ? String(raw.kill).split(',').filter(Boolean) : [];
  const number = (name: string, fallback: number) => (raw[name] !== undefined ? Number(raw[name]) : fallback);
  const options: SoakOptions = {
    reports: number('reports', 300),
    apps,
    instances: number('instances', 2),
    kill: kill[0] === 'all' ? apps : kill,
    postgres: all || raw.postgres === true,
    fhirFreezeSeconds: number('fhirFreeze', all ? 60 : 0),
    // Against the cluster, the broker fault kills one of three; the single broker of infra/kafka.sh is not touched.
    kafkaDownSeconds: number('kafkaDown', all && !cluster ? 30 : 0),
    cluster,
    partitions: number('partitions', 6),
    brokerKillSeconds: number('brokerKill', all && cluster ? 30 : 0),
    brokerNode: number('brokerNode', 1),
    rounds: number('rounds', 1),
    rate: number('rate', 0),
    warmupSeconds: number('warmup', 10),
    gapSeconds: number('gap', 5),
    restartDelaySeconds: number('restartDelay', 3),
    quietSeconds: number('quiet', 15),
    timeoutMinutes: number('timeout', 60),
  };
  // Bounded: a soak is a test, not a load generator left running.
  if (options.reports < 1 || options.reports > MAX_REPORTS)
    throw new SoakPlanError(`--reports must be between 1 and ${MAX_REPORTS}`);
  if (options.instances < 1 || !Number.isInteger(options.instances))
    throw new SoakPlanError('--instances must be a whole number ≥ 1');
  if (options.rounds < 1 || !Number.isInteger(options.rounds))
    throw new SoakPlanError('--rounds must be a whole number ≥ 1');
  if (![1, 2, 3].includes(options.brokerNode)) throw new SoakPlanError('--broker-node must be 1, 2 or 3');
  if (options.partitions < 1 || !Number.isInteger(options.partitions))
    throw new SoakPlanError('--partitions must be a whole number ≥ 1');
  for (const [name, value] of Object.entries(options))
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0))
      throw new SoakPlanError(`--${name} must be a number ≥ 0`);
  return options;
}
