import {
  shadowVerdict,
  type CanaryPolicy,
  type CanaryVerdict,
  type ShadowPolicy,
  type ShadowVerdict,
} from '@radflow/feedback';
import type { ModelVersionStatus } from '@radflow/store';
import { servingOf } from '../radiologist-model.ts';
import { registryModelName, retrainingParts } from '../retraining-parts.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import { canaryVerdictNow } from '../shadow/canary-evaluation.ts';
import { canaryParts, type CanaryParts } from '../shadow/canary-parts.ts';
import { candidateInShadow } from '../shadow/candidate-in-shadow.ts';
import { connect, type CommandOptions } from './connect.ts';

export interface ModelStatusOptions extends CommandOptions {
  /** Registry name; RETRAIN_MODEL_NAME or the serving model's name by default. */
  modelName?: string;
}

export interface ModelStatus {
  name: string;
  serving: { version: string; modelDir: string; since: string; action: string } | null;
  /** Versions not serving and not retired: candidates kept, and the one in shadow. */
  candidates: {
    version: string;
    status: ModelVersionStatus;
    baseVersion: string | null;
    createdAt: string;
  }[];
  /** The canary serving a share of reports now, with its live comparison; null when none runs. */
  canary: CanaryStatus | null;
  /** The latest decisions (gate, shadow, canary, operator), newest first. */
  decisions: {
    candidateVersion: string;
    stage: string;
    outcome: string;
    reason: string;
    decidedAt: string;
  }[];
}

export interface ShadowStatus {
  name: string;
  candidateVersion: string;
  servingVersion: string;
  startedAt: string;
  policy: Pick<ShadowPolicy, 'minReports' | 'periodHours' | 'tolerance' | 'level'>;
  /** The verdict if it were asked now: the running comparison with its intervals. */
  verdict: ShadowVerdict;
}

export interface CanaryStatus {
  name: string;
  version: string;
  servingVersion: string;
  share: number;
  startedBy: string;
  reason: string;
  startedAt: string;
  autoPromote: boolean;
  policy: Pick<CanaryPolicy, 'minReports' | 'periodHours' | 'tolerance' | 'level'>;
  /** The verdict if it were asked now: both arms' live scores and their difference with intervals. */
  verdict: CanaryVerdict;
}

/** The running canary and its live comparison, or undefined when none runs. */
export async function canaryStatus(parts: CanaryParts, name: string): Promise<CanaryStatus | undefined> {
  const [canary, beside] = await Promise.all([parts.canaries.current(name), servingOf(parts, name)]);
  const serving = beside?.record;
  if (!canary || !serving) return undefined;
  const policy = parts.settings.canary;
  return {
    name,
    version: canary.version,
    servingVersion: serving.version,
    share: canary.share,
    startedBy: canary.startedBy,
    reason: canary.reason,
    startedAt: canary.startedAt,
    autoPromote: policy.autoPromote,
    policy: {
      minReports: policy.minReports,
      periodHours: policy.periodHours,
      tolerance: policy.tolerance,
      level: policy.level,
    },
    verdict: await canaryVerdictNow(parts, canary, serving.version),
  };
}

/** What serves, which candidates wait in what state, the canary, and the latest decisions on them. */
export async function modelStatus(parts: CanaryParts, name: string): Promise<ModelStatus> {
  const [versions, history, decisions] = await Promise.all([
    parts.versions.list(name),
    parts.deployments.history(name),
    parts.decisions.list(name),
  ]);
  const current = await parts.deployments.current(name);
  const deployed = history.findLast((d) => d.version === current?.version);
  return {
    name,
    serving:
      current && deployed
        ? {
            version: current.version,
            modelDir: current.modelDir,
            since: deployed.deployedAt,
            action: deployed.action,
          }
        : null,
    canary: (await canaryStatus(parts, name)) ?? null,
    candidates: versions
      .filter((v) => v.status === 'candidate' || v.status === 'shadow')
      .filter((v) => v.version !== current?.version)
      .map((v) => ({
        version: v.version,
        status: v.status,
        baseVersion: v.baseVersion,
        createdAt: v.createdAt,
      })),
    decisions: decisions
      .slice(-10)
      .reverse()
      .map((d) => ({
        candidateVersion: d.candidateVersion,
        stage: typeof d.policy.stage === 'string' ? d.policy.stage : 'gate',
        outcome: d.outcome,
        reason: d.reasons[0] ?? '',
        decidedAt: d.decidedAt,
      })),
  };
}

/** The running shadow comparison of the candidate in shadow, or undefined when none is. */
export async function shadowStatus(parts: RetrainingParts, name: string): Promise<ShadowStatus | undefined> {
  const shadow = await candidateInShadow(parts, name);
  const serving = await parts.deployments.current(name);
  if (!shadow || !serving) return undefined;
  const scores = await parts.shadowScores.list(name, shadow.candidate.version, serving.version);
  const policy = parts.settings.shadow;
  return {
    name,
    candidateVersion: shadow.candidate.version,
    servingVersion: serving.version,
    startedAt: shadow.startedAt.toISOString(),
    policy: {
      minReports: policy.minReports,
      periodHours: policy.periodHours,
      tolerance: policy.tolerance,
      level: policy.level,
    },
    verdict: shadowVerdict(scores, { startedAt: shadow.startedAt, now: new Date() }, policy),
  };
}

/** The registry and canary parts of a one-shot command, and the model name it is about. */
export async function withParts<T>(
  options: ModelStatusOptions,
  work: (parts: CanaryParts, name: string) => Promise<T>,
): Promise<T> {
  const context = await connect(options, 'radflow-model');
  try {
    const parts = canaryParts(
      retrainingParts(context.database, context.bus, context.logger, context.settings),
      context.database,
    );
    return await work(parts, options.modelName ?? registryModelName(context.settings));
  } finally {
    await context.close();
  }
}

/** `radflow model canary`. */
export function runModelCanary(options: ModelStatusOptions = {}): Promise<CanaryStatus | undefined> {
  return withParts(options, canaryStatus);
}

/** `radflow model status`. */
export function runModelStatus(options: ModelStatusOptions = {}): Promise<ModelStatus> {
  return withParts(options, modelStatus);
}

/** `radflow model shadow`. */
export function runModelShadow(options: ModelStatusOptions = {}): Promise<ShadowStatus | undefined> {
  return withParts(options, shadowStatus);
}
