import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@radflow/config';

/**
 * The CI size of `radflow soak` (issue 14): a few dozen reports over MLLP through the apps as separate processes
 * (two of each consuming app), while one enricher and one writeback are SIGKILLed and restarted and the FHIR server is
 * frozen for a few seconds. Run as an operator would run the command; it exits 1 on any loss or duplicate.
 * SOAK_SMALL_REPORTS, SOAK_SMALL_POSTGRES=true (adds a PostgreSQL restart: it restarts the shared database).
 */
const REPORTS = process.env.SOAK_SMALL_REPORTS ?? '48';
const WITH_POSTGRES = process.env.SOAK_SMALL_POSTGRES === 'true';

let child: ChildProcess | undefined;

// A test that times out must not leave the soak (and its app processes, a frozen FHIR server) behind: SIGINT makes
// the soak undo its faults and stop its children.
afterEach(async () => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
}, 40_000);

function runSoak(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}apps/cli/src/main.ts`, 'soak', ...args], {
      cwd: repoRoot,
      // A killed consumer's partitions move to the other instance once its session times out: 15 s, not 45 s
      // (still above the slowest step of a run this small; the full soak keeps the default).
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

describe('radflow soak, CI size', () => {
  it(`${REPORTS} reports with an enricher and a writeback SIGKILLed and the FHIR server frozen: 0 lost, 0 duplicated`, async () => {
    const { code, output } = await runSoak([
      '--reports',
      REPORTS,
      '--apps',
      'gateway,ingest,triage,worklist-task,inference,enricher,writeback',
      '--instances',
      '2',
      '--kill',
      'enricher,writeback',
      '--fhir-freeze',
      '5',
      ...(WITH_POSTGRES ? ['--postgres'] : []),
      '--rate',
      '1',
      '--warmup',
      '5',
      '--gap',
      '2',
      '--quiet',
      '8',
      // The soak's own bound (plus at most 30 s of FHIR counting) ends before the test's.
      '--timeout',
      '3.5',
    ]);
    const total = /^all outputs\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(output);
    expect(total, 'the soak printed no totals').not.toBeNull();
    expect({ reports: total![1], lost: total![2], duplicated: total![3] }).toEqual({
      reports: REPORTS,
      lost: '0',
      duplicated: '0',
    });
    expect(output).toMatch(/fault over: SIGKILL enricher/);
    expect(output).toMatch(/fault over: SIGKILL writeback/);
    expect(output).toMatch(/fault over: FHIR SIGSTOP 5 s/);
    expect(code).toBe(0);
  }, 300_000);
});
