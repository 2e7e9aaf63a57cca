import { decisionOf, type Settlement } from '../gate-settlement.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import { candidatesInShadow } from './candidate-in-shadow.ts';

/**
 * A candidate the fixed-set gate passed enters shadow: it is not served; the shadow stage drafts with it beside
 * the serving model on live finalized reports until its verdict. A candidate still in shadow from an earlier run
 * is superseded (rejected, with the decision recorded): one candidate is compared at a time.
 */
export async function startShadow(parts: RetrainingParts, settled: Settlement): Promise<void> {
  const { name, runId, currentVersion, candidate, decision } = settled;
  for (const earlier of await candidatesInShadow(parts, name)) {
    if (!(await parts.versions.transition(name, earlier.version, 'shadow', 'rejected'))) continue;
    const earlierRun = runIdOf(earlier.training);
    const superseded = {
      outcome: 'reject' as const,
      reasons: [`superseded in shadow by ${candidate.version} before its shadow period ended`],
      comparisons: [],
    };
    await parts.decisions.record({
      name,
      candidateVersion: earlier.version,
      currentVersion,
      ...superseded,
      policy: { stage: 'shadow', ...parts.settings.shadow },
      runId: earlierRun,
    });
    if (earlierRun) await parts.runs.update(earlierRun, { status: 'rejected' });
    await parts.events.publish({
      kind: 'model.rejected',
      name,
      version: earlier.version,
      ...(earlierRun ? { runId: earlierRun } : {}),
      previousVersion: currentVersion,
      decision: superseded,
    });
  }
  await parts.versions.setStatus(name, candidate.version, 'shadow', decision.comparisons);
  await parts.events.publish({
    kind: 'model.shadow_started',
    name,
    version: candidate.version,
    modelDir: candidate.modelDir,
    ...(runId ? { runId } : {}),
    previousVersion: currentVersion,
    decision: decisionOf(decision),
  });
}

/** The run that trained a version, as its registry row records it. */
export function runIdOf(training: Record<string, unknown>): string | null {
  return typeof training.runId === 'string' ? training.runId : null;
}
