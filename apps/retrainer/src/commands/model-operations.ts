import { shadowEnabled } from '@radflow/feedback';
import { parseRadiologistModelName } from '@radflow/reports';
import { ModelRegistryError, type StoredGateDecision } from '@radflow/store';
import { canaryVerdictNow } from '../shadow/canary-evaluation.ts';
import type { CanaryParts } from '../shadow/canary-parts.ts';
import { servingOf } from '../radiologist-model.ts';
import { endCanary, startCanary } from '../shadow/canary-settlement.ts';
import { runIdOf } from '../shadow/shadow-start.ts';
import { withParts, type ModelStatusOptions } from './model-status.ts';

/** What a version still lacks before it may serve: a passed fixed-set gate, and a passed shadow period. */
export function promotionReadiness(
  decisions: readonly Pick<StoredGateDecision, 'candidateVersion' | 'outcome' | 'policy'>[],
  version: string,
  shadowRequired: boolean,
): string[] {
  const passed = (stage: string) =>
    decisions.some(
      (d) =>
        d.candidateVersion === version && d.outcome === 'promote' && (d.policy.stage ?? 'gate') === stage,
    );
  return [
    ...(passed('gate') ? [] : ['the fixed-set gate has not passed it']),
    ...(shadowRequired && !passed('shadow') ? ['no shadow period has passed it'] : []),
  ];
}

export interface PromoteRequest {
  version: string;
  /** Serve this share of reports (by accession hash) as a canary instead of all of them. */
  canaryShare?: number | undefined;
  reason?: string | undefined;
  /** Promote although the gate or shadow has not passed it; needs a reason, which is recorded. */
  force?: boolean | undefined;
  /** Who asks (recorded with the decision). */
  operator: string;
}

export interface PromoteResult {
  name: string;
  version: string;
  action: 'promotion' | 'canary';
  previousVersion: string;
  share?: number;
  /** What the gate and shadow had not shown, when --force overrode it. */
  forcedPast?: string[];
}

/**
 * `radflow model promote`: a version that passed the fixed-set gate and a shadow period serves every report
 * (serving history, model.promoted) or, with a canary share, that share of them (model_canaries,
 * model.canary_started). The running canary's own version is promoted by ending the canary. A version that has not
 * passed needs `force` and a reason; either way the operator's decision and reason go to gate_decisions
 * (policy.stage `operator`). Throws ModelRegistryError with a code; messages name versions, never reports.
 */
export async function promoteVersion(
  parts: CanaryParts,
  name: string,
  request: PromoteRequest,
): Promise<PromoteResult> {
  const reason = request.reason?.trim() ?? '';
  if (request.force && !reason)
    throw new ModelRegistryError(
      '--force needs a --reason, which is recorded with the decision',
      'NOT_PROMOTABLE',
    );
  const version = await parts.versions.get(name, request.version);
  if (!version)
    throw new ModelRegistryError(`${name} ${request.version} is not registered`, 'UNKNOWN_MODEL_VERSION');
  // A radiologist without a model of their own (none yet, or retired) is served by the shared model: that is what
  // this version replaces for them, as the retrainer's own gate records it.
  const beside = await servingOf(parts, name);
  if (!beside) throw new ModelRegistryError(`no ${name} model serves yet`, 'NO_CURRENT_MODEL');
  const serving = beside.record;
  if (beside.draftedBy === name && serving.version === version.version)
    throw new ModelRegistryError(`${name} ${version.version} is already serving`, 'ALREADY_SERVING');
  const canary = await parts.canaries.current(name);
  if (canary && (request.canaryShare !== undefined || canary.version !== version.version))
    throw new ModelRegistryError(
      `${name} ${canary.version} is serving as a canary: promote it or end it (radflow model rollback) first`,
      'CANARY_RUNNING',
    );
  const missing = promotionReadiness(
    await parts.decisions.list(name),
    version.version,
    shadowEnabled(parts.settings.shadow),
  );
  if (missing.length > 0 && !request.force)
    throw new ModelRegistryError(
      `${name} ${version.version} may not serve: ${missing.join('; ')} (--force with a --reason overrides)`,
      'NOT_PROMOTABLE',
    );
  const why =
    reason ||
    (request.canaryShare !== undefined
      ? 'operator canary'
      : canary
        ? 'canary promoted'
        : 'operator promotion');
  const forced = missing.length > 0 ? { forcedPast: missing } : {};
  const decided = {
    name,
    candidateVersion: version.version,
    currentVersion: serving.version,
    outcome: 'promote' as const,
    runId: runIdOf(version.training),
  };

  if (request.canaryShare !== undefined) {
    const started = await startCanary(parts, {
      name,
      version,
      share: request.canaryShare,
      startedBy: request.operator,
      reason: why,
    });
    if (missing.length > 0)
      await parts.decisions.record({
        ...decided,
        reasons: [`canary forced by ${request.operator}: ${why}`],
        comparisons: [],
        policy: { stage: 'operator', by: request.operator, action: 'canary', ...forced },
      });
    return {
      name,
      version: version.version,
      action: 'canary',
      previousVersion: serving.version,
      share: started.share,
      ...forced,
    };
  }

  if (canary) {
    // The canary's own version: its live comparison so far is the decision's evidence.
    const verdict = await canaryVerdictNow(parts, canary, serving.version);
    const ended = await endCanary(parts, name, {
      outcome: 'promote',
      reasons: [`promoted by ${request.operator}: ${why}`, ...verdict.reasons],
      comparisons: verdict.comparisons,
      decidedBy: request.operator,
      rejectVersion: false,
    });
    if (!ended) throw new ModelRegistryError(`the ${name} canary ended meanwhile`, 'NO_CANARY');
    return {
      name,
      version: version.version,
      action: 'promotion',
      previousVersion: serving.version,
      ...forced,
    };
  }

  await parts.decisions.record({
    ...decided,
    reasons: [`${missing.length > 0 ? 'forced' : 'promoted'} by ${request.operator}: ${why}`],
    comparisons: [],
    policy: { stage: 'operator', by: request.operator, action: 'promotion', ...forced },
  });
  await parts.deployments.deploy(name, version.version, 'promotion', why);
  await parts.events.publish({
    kind: 'model.promoted',
    name,
    version: version.version,
    modelDir: version.modelDir,
    action: 'promotion',
    ...(decided.runId ? { runId: decided.runId } : {}),
    previousVersion: serving.version,
  });
  return { name, version: version.version, action: 'promotion', previousVersion: serving.version, ...forced };
}

export interface RollbackRequest {
  /** Serve this version (it must have served before); without it a running canary is ended, or else the stack popped. */
  toVersion?: string | undefined;
  reason?: string | undefined;
  operator: string;
}

export interface ModelRollbackResult {
  name: string;
  /** The canary this rollback ended (its share goes back to the serving version). */
  canaryEnded?: { version: string; share: number };
  /** The serving version rolled back, when it was. */
  rolledBack?: { from: string; to: string; deploymentId: number };
  /** A radiologist's first model, retired: their reports go back to the shared model. */
  retired?: { version: string; deploymentId: number; nowServedBy: string };
}

/**
 * `radflow model rollback`: undoes the latest change. A running canary is ended first (decision recorded,
 * model.canary_ended; the version stays as it was, an operator's rollback is not a verdict on it); without a
 * canary, or with `toVersion`, the serving history goes back one version (or to `toVersion`) and model.promoted
 * (action rollback) makes inference reload. A radiologist's model with no earlier version (their first adapter) is
 * retired instead: the routing table drops it and their reports go back to the shared model, which needs no reload.
 * Throws ModelRegistryError (NO_CURRENT_MODEL, NOTHING_TO_ROLL_BACK, NOT_DEPLOYABLE) when there is nothing to go back to.
 */
export async function rollbackModel(
  parts: CanaryParts,
  name: string,
  request: RollbackRequest,
): Promise<ModelRollbackResult> {
  const reason = request.reason?.trim() || 'operator rollback';
  const result: ModelRollbackResult = { name };
  const canary = await parts.canaries.current(name);
  // Beside a radiologist's first model's canary: the shared model's version, which drafts their other reports.
  const serving = (await servingOf(parts, name))?.record;
  if (canary && serving) {
    const verdict = await canaryVerdictNow(parts, canary, serving.version);
    const ended = await endCanary(parts, name, {
      outcome: 'reject',
      reasons: [`rolled back by ${request.operator}: ${reason}`, ...verdict.reasons],
      comparisons: verdict.comparisons,
      decidedBy: request.operator,
      rejectVersion: false,
    });
    if (ended) result.canaryEnded = { version: ended.canary.version, share: ended.canary.share };
  }
  if (result.canaryEnded && request.toVersion === undefined) return result;
  const radiologistModel = parseRadiologistModelName(name);
  let rollback;
  try {
    rollback = await parts.deployments.rollback(name, reason, request.toVersion);
  } catch (error) {
    const firstAdapter =
      error instanceof ModelRegistryError &&
      error.code === 'NOTHING_TO_ROLL_BACK' &&
      request.toVersion === undefined;
    if (!firstAdapter || !radiologistModel) throw error;
    const { from, deployment } = await parts.deployments.retire(name, reason);
    result.retired = {
      version: from.version,
      deploymentId: deployment.id,
      nowServedBy: radiologistModel.sharedModelName,
    };
    return result;
  }
  const { from, to, deployment } = rollback;
  await parts.events.publish({
    kind: 'model.promoted',
    name,
    version: to.version,
    modelDir: to.modelDir,
    action: 'rollback',
    previousVersion: from.version,
  });
  result.rolledBack = { from: from.version, to: to.version, deploymentId: deployment.id };
  return result;
}

/** `radflow model promote`. */
export function runModelPromote(request: PromoteRequest & ModelStatusOptions): Promise<PromoteResult> {
  return withParts(request, (parts, name) => promoteVersion(parts, name, request));
}

/** `radflow model rollback`. */
export function runModelRollback(
  request: RollbackRequest & ModelStatusOptions,
): Promise<ModelRollbackResult> {
  return withParts(request, (parts, name) => rollbackModel(parts, name, request));
}
