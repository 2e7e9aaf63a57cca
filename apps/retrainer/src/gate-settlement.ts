import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shadowEnabled, type GateDecision } from '@radflow/feedback';
import { renderDecisionReport } from './decision-report.ts';
import type { Candidate, RetrainingParts, RetrainingRun } from './retraining-run.ts';
import { startShadow } from './shadow/shadow-start.ts';

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
 * Step 5: what the gate said, done. A rejected candidate is marked so it can never be deployed, and the serving
 * model stays. A passed one enters shadow evaluation (the shadow stage promotes or rejects it later), or, with no
 * shadow period configured, becomes the serving version at once.
 */
export async function settleCandidate(
  parts: RetrainingParts,
  run: RetrainingRun,
  candidate: Candidate,
  decision: GateDecision,
): Promise<'promoted' | 'rejected' | 'shadow'> {
  const settlement = {
    name: run.name,
    runId: run.runId,
    currentVersion: run.current.version,
    candidate,
    decision,
  };
  if (decision.outcome === 'reject') {
    await rejectCandidate(parts, settlement);
    return 'rejected';
  }
  if (shadowEnabled(parts.settings.shadow)) {
    await startShadow(parts, settlement);
    return 'shadow';
  }
  await promoteCandidate(parts, settlement);
  return 'promoted';
}

/** A decision on a candidate (the gate's, or shadow evaluation's) and what it is measured against. */
export interface Settlement {
  name: string;
  runId?: string | undefined;
  /** The serving version the candidate was compared with. */
  currentVersion: string;
  candidate: { version: string; modelDir: string; dataSnapshot?: string | null };
  decision: GateDecision;
}

/** The candidate becomes the serving version, and model.promoted tells inference to load it. */
export async function promoteCandidate(parts: RetrainingParts, settled: Settlement): Promise<void> {
  const { name, runId, currentVersion, candidate, decision } = settled;
  await parts.versions.setStatus(name, candidate.version, 'candidate', decision.comparisons);
  await parts.deployments.deploy(name, candidate.version, 'promotion', decision.reasons[0] ?? 'gate passed');
  await parts.events.publish({
    kind: 'model.promoted',
    name,
    version: candidate.version,
    modelDir: candidate.modelDir,
    action: 'promotion',
    ...(runId ? { runId } : {}),
    previousVersion: currentVersion,
    baseVersion: currentVersion,
    ...(candidate.dataSnapshot ? { dataSnapshot: candidate.dataSnapshot } : {}),
  });
}

/** The candidate is marked rejected (never deployable) and model.rejected says why; the serving model stays. */
export async function rejectCandidate(parts: RetrainingParts, settled: Settlement): Promise<void> {
  const { name, runId, currentVersion, candidate, decision } = settled;
  await parts.versions.setStatus(name, candidate.version, 'rejected', decision.comparisons);
  await parts.events.publish({
    kind: 'model.rejected',
    name,
    version: candidate.version,
    ...(runId ? { runId } : {}),
    previousVersion: currentVersion,
    decision: decisionOf(decision),
  });
}

/** The part of a decision that travels on rad.model.events.v1. */
export function decisionOf(
  decision: GateDecision,
): Pick<GateDecision, 'outcome' | 'reasons' | 'comparisons'> {
  return { outcome: decision.outcome, reasons: decision.reasons, comparisons: decision.comparisons };
}
