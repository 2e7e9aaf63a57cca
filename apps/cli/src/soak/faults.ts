import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { repoRoot } from '@radflow/config';
import type { AppFleet } from './app-processes.ts';
import type { Fault } from './soak-plan.ts';

/**
 * Injects one fault and returns once it is over (the service back, the process serving again). Shared services are
 * driven through the infra/ scripts, which only ever touch the services this checkout started.
 */
export class FaultError extends Error {
  override readonly name = 'FaultError';
}

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function infra(script: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [`${repoRoot}infra/${script}`, ...args], { timeout: 240_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new FaultError(
      `infra/${script} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

/**
 * The soak's PostgreSQL restart and FHIR freeze act on the instances the infra/ scripts run under this process's env
 * (POSTGRES_PORT and POSTGRES_HOME_DIR, FHIR_SERVER_PORT and FHIR_SERVER_HOME_DIR: a soak can run its own, leaving the
 * shared ones alone). Refuses a plan whose fault would hit another instance than the apps use (DATABASE_URL,
 * FHIR_BASE_URL), which would show nothing and disturb other work.
 */
export function assertFaultTargets(
  faults: readonly Fault[],
  config: { database: { url: string }; fhir: { baseUrl: string } },
  env: NodeJS.ProcessEnv = process.env,
): void {
  const portOf = (url: string, fallback: string) => new URL(url).port || fallback;
  if (faults.some((f) => f.kind === 'postgres')) {
    const script = env.POSTGRES_PORT ?? '5432';
    const used = portOf(config.database.url, '5432');
    if (script !== used)
      throw new FaultError(
        `--postgres would restart the PostgreSQL on port ${script} (POSTGRES_PORT) but the apps use port ${used} (DATABASE_URL)`,
      );
  }
  if (faults.some((f) => f.kind === 'fhir-freeze')) {
    const script = env.FHIR_SERVER_PORT ?? '8103';
    const used = portOf(config.fhir.baseUrl, '80');
    if (script !== used)
      throw new FaultError(
        `--fhir-freeze would freeze the FHIR server on port ${script} (FHIR_SERVER_PORT) but the apps use port ${used} (FHIR_BASE_URL)`,
      );
  }
}

/** The FHIR server's pid, found as infra/fhir-server.sh does: its pid file, checked against the command line. */
function fhirServerPid(): number {
  const home = process.env.FHIR_SERVER_HOME_DIR ?? `${repoRoot}.cache/fhir-server`;
  const pid = Number(readFileSync(`${home}/fhir-server.pid`, 'utf8').trim());
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  if (!cmdline.includes('infra/fhir-server/src/main.ts'))
    throw new FaultError(`pid ${pid} of the FHIR server pid file is not the FHIR server`);
  return pid;
}

/** What must be undone if the soak stops half-way through a fault (interrupted, or a step failed). */
export class FaultRecovery {
  frozenFhirPid: number | undefined;
  readonly stopped = new Set<'postgres.sh' | 'kafka.sh'>();
  /** A node of the three-broker cluster killed and not yet started again. */
  killedBroker: number | undefined;

  async recover(): Promise<void> {
    if (this.frozenFhirPid) {
      process.kill(this.frozenFhirPid, 'SIGCONT');
      this.frozenFhirPid = undefined;
    }
    for (const script of this.stopped) await infra(script, 'start');
    this.stopped.clear();
    if (this.killedBroker !== undefined) {
      await infra('kafka-cluster.sh', 'start-broker', String(this.killedBroker));
      this.killedBroker = undefined;
    }
  }
}

export async function injectFault(
  fault: Fault,
  context: { fleet: AppFleet; recovery: FaultRecovery; restartDelayMs: number },
): Promise<void> {
  const { fleet, recovery } = context;
  switch (fault.kind) {
    case 'kill': {
      const instance = fleet.first(fault.app);
      instance.kill();
      await sleep(context.restartDelayMs);
      await instance.start();
      return;
    }
    case 'postgres':
      recovery.stopped.add('postgres.sh');
      await infra('postgres.sh', 'stop');
      await infra('postgres.sh', 'start');
      recovery.stopped.delete('postgres.sh');
      return;
    case 'fhir-freeze': {
      const pid = fhirServerPid();
      recovery.frozenFhirPid = pid;
      process.kill(pid, 'SIGSTOP');
      await sleep(fault.seconds * 1000);
      process.kill(pid, 'SIGCONT');
      recovery.frozenFhirPid = undefined;
      return;
    }
    case 'kafka':
      recovery.stopped.add('kafka.sh');
      await infra('kafka.sh', 'stop');
      await sleep(fault.downSeconds * 1000);
      await infra('kafka.sh', 'start');
      recovery.stopped.delete('kafka.sh');
      return;
    case 'broker-kill':
      // An unclean crash of one node of three: its partitions' leadership moves, transactions it coordinated are
      // taken over; started again after downSeconds, the fault is over once every replica is back in sync.
      recovery.killedBroker = fault.node;
      await infra('kafka-cluster.sh', 'kill-broker', String(fault.node));
      await sleep(fault.downSeconds * 1000);
      await infra('kafka-cluster.sh', 'start-broker', String(fault.node));
      recovery.killedBroker = undefined;
      return;
  }
}
