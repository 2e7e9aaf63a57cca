import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateDecision } from '@radflow/feedback';
import { renderDecisionReport } from './decision-report.ts';
import type { Candidate, RetrainingParts, RetrainingRun } from './retraining-run.ts';

/**
 * Step 4: the gate's decision with its numbers, in gate_decisions, beside the candidate (evaluation.html and .json)
 * and as model.evaluated.
 */
export async function recordGateDecision(
  parts: RetrainingParts,
  run: RetrainingRun,
  candidate: Candidate,
  decision: GateDecision,
): Promise<void> {
  const { name, runId, current } = run;
  await parts.decisions.record({
    name,
    candidateVersion: candidate.version,
    currentVersion: current.version,
    outcome: decision.outcome,
    reasons: decision.reasons,
    comparisons: decision.comparisons,
    policy: { ...parts.settings.gate },
    runId,
  });
  const report = renderDecisionReport(`${name} ${candidate.version} vs ${current.version}`, decision);
  writeFileSync(join(candidate.modelDir, 'evaluation.html'), report);
  writeFileSync(
    join(candidate.modelDir, 'evaluation.json'),
    `${JSON.stringify({ runId, currentVersion: current.version, ...decision }, null, 2)}\n`,
  );
  run.outcome.reportPath = join(candidate.modelDir, 'evaluation.html');
  await parts.events.publish({
    kind: 'model.evaluated',
    name,
    version: candidate.version,
    runId,
    previousVersion: current.version,
    decision: decisionOf(decision),
  });
}

/**
 * Step 5: what the gate said, done. A promoted candidate becomes the serving version and model.promoted tells
 * inference to load it; a rejected one is marked so it can never be deployed, and the serving model stays.
 */
export async function settleCandidate(
  parts: RetrainingParts,
  run: RetrainingRun,
  candidate: Candidate,
  decision: GateDecision,
): Promise<'promoted' | 'rejected'> {
  const { name, runId, current } = run;
  if (decision.outcome === 'promote') {
    await parts.versions.setStatus(name, candidate.version, 'candidate', decision.comparisons);
    await parts.deployments.deploy(
      name,
      candidate.version,
      'promotion',
      decision.reasons[0] ?? 'gate passed',
    );
    await parts.events.publish({
      kind: 'model.promoted',
      name,
      version: candidate.version,
      modelDir: candidate.modelDir,
      action: 'promotion',
      runId,
      previousVersion: current.version,
      baseVersion: current.version,
      dataSnapshot: candidate.dataSnapshot,
    });
    return 'promoted';
  }
  await parts.versions.setStatus(name, candidate.version, 'rejected', decision.comparisons);
  await parts.events.publish({
    kind: 'model.rejected',
    name,
    version: candidate.version,
    runId,
    previousVersion: current.version,
    decision: decisionOf(decision),
  });
  return 'rejected';
}

/** The part of a decision that travels on rad.model.events.v1. */
function decisionOf(decision: GateDecision): Pick<GateDecision, 'outcome' | 'reasons' | 'comparisons'> {
  return { outcome: decision.outcome, reasons: decision.reasons, comparisons: decision.comparisons };
}
