import type { GateDecision, ShadowVerdict } from '@radflow/feedback';
import { ModelRegistryError, type ModelVersionRecord } from '@radflow/store';
import { decisionOf, promoteCandidate } from '../gate-settlement.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import type { CanaryParts } from './canary-parts.ts';
import { servingOf } from '../radiologist-model.ts';
import { startCanary } from './canary-settlement.ts';
import { runIdOf } from './shadow-start.ts';

/**
 * Shadow evaluation's verdict, done: `pass` starts a canary when RETRAIN_CANARY_SHARE is set (and `parts` has the
 * canary tables), else promotes the candidate through the gate's own promotion (serving
 * history, model.promoted), `stop` rejects it (model.rejected); either way the decision, its reasons and the
 * running comparison go to gate_decisions (policy.stage `shadow`) and the run's row. The candidate leaves shadow
 * in one conditional update, so when two reports reach a verdict at once only one settles it. Resolves with what
 * was done, or undefined when the candidate had already left shadow.
 */
export async function settleShadow(
  parts: RetrainingParts,
  candidate: ModelVersionRecord,
  serving: ModelVersionRecord,
  verdict: ShadowVerdict,
): Promise<'promoted' | 'rejected' | 'canary' | 'held' | undefined> {
  if (verdict.verdict === 'continue') return undefined;
  const { name, version } = candidate;
  const outcome = verdict.verdict === 'pass' ? 'promote' : 'reject';
  const decision: GateDecision = { outcome, reasons: verdict.reasons, comparisons: verdict.comparisons };
  // The gate's comparisons stay beside the shadow's on the version.
  const metrics = [...(Array.isArray(candidate.metrics) ? candidate.metrics : []), ...verdict.comparisons];
  const to = outcome === 'promote' ? 'candidate' : 'rejected';
  if (!(await parts.versions.transition(name, version, 'shadow', to, metrics))) return undefined;
  const runId = runIdOf(candidate.training);
  await parts.decisions.record({
    name,
    candidateVersion: version,
    currentVersion: serving.version,
    outcome,
    reasons: verdict.reasons,
    comparisons: verdict.comparisons,
    policy: { stage: 'shadow', ...parts.settings.shadow },
    runId,
  });
  const settled = {
    name,
    runId: runId ?? undefined,
    currentVersion: serving.version,
    candidate,
    decision: { ...decision, comparisons: metrics as GateDecision['comparisons'] },
  };
  if (outcome === 'promote' && (await canaryFirst(parts, name))) {
    // A canary first (RETRAIN_CANARY_SHARE): the candidate serves that share of live reports until its verdict.
    // Another version's canary running: this one waits, passed, for the operator (`radflow model promote`).
    return (await startCanaryAfterShadow(parts as CanaryParts, candidate, verdict)) ? 'canary' : 'held';
  } else if (outcome === 'promote') {
    await promoteCandidate(parts, settled);
  } else {
    await parts.events.publish({
      kind: 'model.rejected',
      name,
      version,
      ...(runId ? { runId } : {}),
      previousVersion: serving.version,
      decision: decisionOf(decision),
    });
  }
  if (runId) await parts.runs.update(runId, { status: outcome === 'promote' ? 'promoted' : 'rejected' });
  return outcome === 'promote' ? 'promoted' : 'rejected';
}

/**
 * Whether a shadow pass starts a canary rather than a promotion: RETRAIN_CANARY_SHARE is set and a version serves
 * beside it: the model's own, or for a radiologist's first model the shared model, which drafts their other reports.
 */
async function canaryFirst(parts: RetrainingParts, name: string): Promise<boolean> {
  if (!(parts.settings.canary.share > 0 && 'canaries' in parts)) return false;
  return (await servingOf(parts, name)) !== undefined;
}

/**
 * The canary a shadow pass starts; false when another canary of the model is running: two versions never share the
 * live traffic, and the serving version does not change under a running canary.
 */
async function startCanaryAfterShadow(
  parts: CanaryParts,
  candidate: ModelVersionRecord,
  verdict: ShadowVerdict,
): Promise<boolean> {
  try {
    await startCanary(parts, {
      name: candidate.name,
      version: candidate,
      share: parts.settings.canary.share,
      startedBy: 'shadow',
      reason: verdict.reasons[0] ?? 'shadow passed',
    });
    return true;
  } catch (error) {
    if (error instanceof ModelRegistryError && error.code === 'CANARY_RUNNING') return false;
    throw error;
  }
}
