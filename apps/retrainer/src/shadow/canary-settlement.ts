import type { MetricComparison } from '@radflow/feedback';
import type { CanaryRecord, ModelVersionRecord } from '@radflow/store';
import { ModelRegistryError } from '@radflow/store';
import { servingOf } from '../radiologist-model.ts';
import { runIdOf } from './shadow-start.ts';
import type { CanaryParts } from './canary-parts.ts';

/** What starts a canary: the version, its share of reports, who and why. */
export interface CanaryStart {
  name: string;
  version: ModelVersionRecord;
  share: number;
  startedBy: string;
  reason: string;
}

/**
 * A version starts serving `share` of the model's reports beside the serving version (the enricher routes by
 * accession hash from model_canaries), and model.canary_started says so. Throws ModelRegistryError (CANARY_RUNNING,
 * ALREADY_SERVING, NOT_DEPLOYABLE, NO_CURRENT_MODEL, INVALID_SHARE) when it cannot.
 */
export async function startCanary(parts: CanaryParts, start: CanaryStart): Promise<CanaryRecord> {
  const { name, version } = start;
  const serving = (await servingOf(parts, name))?.record;
  const canary = await parts.canaries.start({
    name,
    version: version.version,
    share: start.share,
    startedBy: start.startedBy,
    reason: start.reason,
  });
  const runId = runIdOf(version.training);
  await parts.events.publish({
    kind: 'model.canary_started',
    name,
    version: version.version,
    modelDir: version.modelDir,
    ...(runId ? { runId } : {}),
    // start() refused when nothing serves. For a radiologist's first model: the shared model's version.
    previousVersion: serving!.version,
    canary: { share: canary.share, startedBy: canary.startedBy },
  });
  return canary;
}

/** How a canary ends: promoted to serve every report, or rolled back (the serving version keeps them all). */
export interface CanaryEnd {
  outcome: 'promote' | 'reject';
  reasons: string[];
  comparisons: MetricComparison[];
  /** An operator's name, or `canary` for the automatic verdict. */
  decidedBy: string;
  /** A canary shown worse is marked rejected, never deployable; an operator's rollback leaves the version as is. */
  rejectVersion: boolean;
}

/**
 * Ends the model's canary once (whoever comes second finds none and gets undefined): the decision goes to
 * gate_decisions (policy.stage `canary`) with the row's deletion, model.canary_ended says so (the enricher stops
 * routing to it), and a promotion then deploys the version (serving history, model.promoted: inference reloads); a
 * radiologist's first model then serves all their reports.
 */
export async function endCanary(
  parts: CanaryParts,
  name: string,
  end: CanaryEnd,
): Promise<{ canary: CanaryRecord; servingVersion: string } | undefined> {
  const serving = (await servingOf(parts, name))?.record;
  if (!serving) throw new ModelRegistryError(`no ${name} model serves`, 'NO_CURRENT_MODEL');
  const ended = await parts.canaries.end(name, serving.version, {
    outcome: end.outcome,
    reasons: end.reasons,
    comparisons: end.comparisons,
    decidedBy: end.decidedBy,
    policy: { ...parts.settings.canary },
  });
  if (!ended) return undefined;
  const { canary } = ended;
  const version = await parts.versions.get(name, canary.version);
  if (end.rejectVersion && version)
    await parts.versions.setStatus(name, canary.version, 'rejected', [
      ...(Array.isArray(version.metrics) ? version.metrics : []),
      ...end.comparisons,
    ]);
  const runId = version ? runIdOf(version.training) : null;
  await parts.events.publish({
    kind: 'model.canary_ended',
    name,
    version: canary.version,
    ...(version ? { modelDir: version.modelDir } : {}),
    ...(runId ? { runId } : {}),
    previousVersion: serving.version,
    canary: { share: canary.share, startedBy: canary.startedBy, decidedBy: end.decidedBy },
    decision: { outcome: end.outcome, reasons: end.reasons, comparisons: end.comparisons },
  });
  if (end.outcome === 'promote' && version) {
    await parts.deployments.deploy(name, canary.version, 'promotion', end.reasons[0] ?? 'canary passed');
    await parts.events.publish({
      kind: 'model.promoted',
      name,
      version: canary.version,
      modelDir: version.modelDir,
      action: 'promotion',
      ...(runId ? { runId } : {}),
      previousVersion: serving.version,
    });
  }
  if (runId && (end.outcome === 'promote' || end.rejectVersion))
    await parts.runs.update(runId, { status: end.outcome === 'promote' ? 'promoted' : 'rejected' });
  return { canary, servingVersion: serving.version };
}
