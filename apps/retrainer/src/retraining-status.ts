import type { CanaryComparison, LiveComparison, RetrainingStatus, ShadowComparison } from '@radflow/schemas';
import { canaryStatus, shadowStatus, type CanaryStatus, type ShadowStatus } from './commands/model-status.ts';
import type { CanaryParts } from './shadow/canary-parts.ts';

function live(verdict: Pick<LiveComparison, 'verdict' | 'reasons' | 'comparisons'>): LiveComparison {
  return { verdict: verdict.verdict, reasons: verdict.reasons, comparisons: verdict.comparisons };
}

/** A candidate in shadow as GET /v1/retraining/status shows it (schemas/api/retraining-status.v1). */
export function shadowComparisonOf(status: ShadowStatus): ShadowComparison {
  return {
    name: status.name,
    candidateVersion: status.candidateVersion,
    servingVersion: status.servingVersion,
    startedAt: status.startedAt,
    reports: status.verdict.reports,
    hours: status.verdict.hoursInShadow,
    policy: status.policy,
    live: live(status.verdict),
  };
}

/** The running canary as GET /v1/retraining/status shows it. */
export function canaryComparisonOf(status: CanaryStatus): CanaryComparison {
  return {
    name: status.name,
    version: status.version,
    servingVersion: status.servingVersion,
    share: status.share,
    startedBy: status.startedBy,
    startedAt: status.startedAt,
    reports: status.verdict.reports,
    hours: status.verdict.hoursInCanary,
    autoPromote: status.autoPromote,
    policy: status.policy,
    live: live(status.verdict),
  };
}

/** The live evaluations under way for a model: its candidate in shadow and its canary, with their comparisons. */
export async function liveEvaluations(
  parts: CanaryParts,
  name: string,
): Promise<Pick<RetrainingStatus, 'shadows' | 'canaries'>> {
  const [shadow, canary] = await Promise.all([shadowStatus(parts, name), canaryStatus(parts, name)]);
  return {
    shadows: shadow ? [shadowComparisonOf(shadow)] : [],
    canaries: canary ? [canaryComparisonOf(canary)] : [],
  };
}
