import { shadowVerdict, type ShadowPolicy, type ShadowVerdict } from '@radflow/feedback';
import type { ModelVersionStatus } from '@radflow/store';
import { registryModelName, retrainingParts } from '../retraining-parts.ts';
import type { RetrainingParts } from '../retraining-run.ts';
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
  /** The latest decisions (gate and shadow), newest first. */
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

/** What serves, which candidates wait in what state, and the latest decisions on them. */
export async function modelStatus(parts: RetrainingParts, name: string): Promise<ModelStatus> {
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
        stage: d.policy.stage === 'shadow' ? 'shadow' : 'gate',
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

async function withParts<T>(
  options: ModelStatusOptions,
  work: (parts: RetrainingParts, name: string) => Promise<T>,
): Promise<T> {
  const context = await connect(options, 'radflow-model');
  try {
    const parts = retrainingParts(context.database, context.bus, context.logger, context.settings);
    return await work(parts, options.modelName ?? registryModelName(context.settings));
  } finally {
    await context.close();
  }
}

/** `radflow model status`. */
export function runModelStatus(options: ModelStatusOptions = {}): Promise<ModelStatus> {
  return withParts(options, modelStatus);
}

/** `radflow model shadow`. */
export function runModelShadow(options: ModelStatusOptions = {}): Promise<ShadowStatus | undefined> {
  return withParts(options, shadowStatus);
}
