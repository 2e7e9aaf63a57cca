import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@radflow/config';

/**
 * The CI size of `radflow soak --cluster` (issue 14, scale-out): a few dozen reports over MLLP through the apps as
 * separate processes (two of each consuming app) against the local three-broker cluster (infra/kafka-cluster.sh,
 * started by the soak when it is not running: replication factor 3, min.insync.replicas 2, topics with 6 partitions),
 * while one broker is SIGKILLed and started again. It exits 1 on any loss or duplicate. The single broker of
 * infra/kafka.sh is not touched. SOAK_CLUSTER_REPORTS (40).
 *
 * Not in `npm test` for its time (about 4 minutes here; run it with `npm run soak:cluster -w @radflow/e2e` after
 * any change to libs/events or the idempotency ledger). It found two defects, fixed since (test/soak/README.md): a
 * record acknowledged and never written (a kafkajs retry bug with a send to several brokers) and a resent message
 * finalized twice (the ledger let one process retake its own claim for a second record).
 */
const REPORTS = process.env.SOAK_CLUSTER_REPORTS ?? '40';

let child: ChildProcess | undefined;

// A test that times out must not leave the soak (its app processes, a killed broker) behind: SIGINT makes the soak
// start the broker again and stop its children.
afterEach(async () => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
}, 70_000);

function runSoak(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}apps/cli/src/main.ts`, 'soak', ...args], {
      cwd: repoRoot,
      env: { ...process.env, KAFKA_SESSION_TIMEOUT_MS: '15000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      process.stdout.write(chunk);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('radflow soak --cluster, CI size', () => {
  it(`${REPORTS} reports on the three-broker cluster with one broker SIGKILLed: 0 lost, 0 duplicated`, async () => {
    const { code, output } = await runSoak([
      '--cluster',
      '--reports',
      REPORTS,
      '--apps',
      'gateway,ingest,triage,worklist-task,inference,enricher,writeback',
      '--instances',
      '2',
      '--broker-kill',
      '10',
      '--broker-node',
      '2',
      '--rate',
      '1',
      '--warmup',
      '5',
      '--quiet',
      '8',
      '--timeout',
      '5',
    ]);
    const total = /^all outputs\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(output);
    expect(total, 'the soak printed no totals').not.toBeNull();
    expect({ reports: total![1], lost: total![2], duplicated: total![3] }).toEqual({
      reports: REPORTS,
      lost: '0',
      duplicated: '0',
    });
    expect(output).toMatch(/three-broker cluster 127\.0\.0\.1:9292,127\.0\.0\.1:9293,127\.0\.0\.1:9294/);
    expect(output).toMatch(/fault over: SIGKILL Kafka broker 2 of 3, 10 s down/);
    expect(code).toBe(0);
  }, 420_000);
});
