/**
 * What the soak does, decided before it starts (pure): the faults in the order they are injected, how long each is
 * expected to take, and the pace of sending that spreads the reports over them.
 */

export type Fault =
  | { kind: 'kill'; app: string }
  | { kind: 'postgres' }
  | { kind: 'fhir-freeze'; seconds: number }
  | { kind: 'kafka'; downSeconds: number }
  | { kind: 'broker-kill'; node: number; downSeconds: number };

export interface FaultOptions {
  /** Apps of which one instance is SIGKILLed (then restarted), in this order. */
  kill: string[];
  postgres: boolean;
  /** 0: no freeze. */
  fhirFreezeSeconds: number;
  /** 0: the broker is not touched. */
  kafkaDownSeconds: number;
  /** Three-broker cluster (infra/kafka-cluster.sh): SIGKILL this node, start it again after the seconds; 0: none. */
  brokerKillSeconds?: number;
  brokerNode?: number;
}

export class SoakPlanError extends Error {
  override readonly name = 'SoakPlanError';
}

/** Kills first (cheap, our own processes), then the shared services, least disruptive first. */
export function planFaults(options: FaultOptions, runningApps: string[]): Fault[] {
  const unknown = options.kill.filter((app) => !runningApps.includes(app));
  if (unknown.length > 0)
    throw new SoakPlanError(
      `cannot kill ${unknown.join(', ')}: not among the apps run (${runningApps.join(', ')})`,
    );
  return [
    ...options.kill.map((app) => ({ kind: 'kill', app }) as const),
    ...(options.postgres ? [{ kind: 'postgres' } as const] : []),
    ...(options.fhirFreezeSeconds > 0
      ? [{ kind: 'fhir-freeze', seconds: options.fhirFreezeSeconds } as const]
      : []),
    ...(options.kafkaDownSeconds > 0
      ? [{ kind: 'kafka', downSeconds: options.kafkaDownSeconds } as const]
      : []),
    ...((options.brokerKillSeconds ?? 0) > 0
      ? [
          {
            kind: 'broker-kill',
            node: options.brokerNode ?? 1,
            downSeconds: options.brokerKillSeconds ?? 0,
          } as const,
        ]
      : []),
  ];
}

export function faultLabel(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `SIGKILL ${fault.app}`;
    case 'postgres':
      return 'PostgreSQL restart';
    case 'fhir-freeze':
      return `FHIR SIGSTOP ${fault.seconds} s`;
    case 'kafka':
      return `Kafka broker down ${fault.downSeconds} s`;
    case 'broker-kill':
      return `SIGKILL Kafka broker ${fault.node} of 3, ${fault.downSeconds} s down`;
  }
}

/** Apps that read a topic in a shared consumer group: a second instance takes over the partitions of a killed one. */
export const CONSUMING_APPS = ['ingest', 'triage', 'worklist-task', 'enricher', 'writeback'];

/**
 * Apps run as `instances` processes: the consuming ones, the gateway (the sender fails over between their MLLP
 * ports) and the inference service (each enricher instance calls its own). The retrainer and the worklist page stay
 * single.
 */
export const SCALED_APPS = [...CONSUMING_APPS, 'gateway', 'inference'];

export interface SoakTiming {
  warmupSeconds: number;
  gapSeconds: number;
  restartDelaySeconds: number;
  /** KAFKA_SESSION_TIMEOUT_MS: a restarted consumer joins once the group has given up on the killed one. */
  sessionTimeoutSeconds: number;
}

/** A rough duration, only to pace the sending so that reports are in flight during every fault. */
export function estimatedSeconds(fault: Fault, timing: SoakTiming): number {
  switch (fault.kind) {
    case 'kill':
      // A child's start on 2 busy cores, and for a group member the wait for the group to drop the killed one.
      return (
        timing.restartDelaySeconds +
        10 +
        (CONSUMING_APPS.includes(fault.app) ? timing.sessionTimeoutSeconds : 0)
      );
    case 'postgres':
      return 5;
    case 'fhir-freeze':
      return fault.seconds;
    case 'kafka':
      return fault.downSeconds + 30; // the broker's controlled shutdown and start
    case 'broker-kill':
      return fault.downSeconds + 20; // its start and its replicas catching up
  }
}

/**
 * Reports per second: all reports spread over the warm-up, the faults and the gaps between them, so each fault
 * window sees reports go in. Never below 0.2/s.
 */
export function sendRate(reports: number, faults: Fault[], timing: SoakTiming): number {
  const seconds =
    timing.warmupSeconds +
    faults.reduce((sum, f) => sum + estimatedSeconds(f, timing) + timing.gapSeconds, 0);
  return Math.max(0.2, reports / Math.max(1, seconds));
}
