import type { ModelVersionRecord } from '@radflow/store';
import type { RetrainingParts } from '../retraining-run.ts';

export interface CandidateInShadow {
  candidate: ModelVersionRecord;
  /** When the fixed-set gate passed it: the shadow period counts from here, and only reports after it are scored. */
  startedAt: Date;
}

/** The model's candidates in shadow, oldest first (one at a time, unless an operator's run superseded one). */
export async function candidatesInShadow(
  parts: RetrainingParts,
  name: string,
): Promise<ModelVersionRecord[]> {
  return (await parts.versions.list(name)).filter((v) => v.status === 'shadow');
}

/** The newest candidate in shadow and when its shadow began, or undefined when none is. */
export async function candidateInShadow(
  parts: RetrainingParts,
  name: string,
): Promise<CandidateInShadow | undefined> {
  const candidate = (await candidatesInShadow(parts, name)).at(-1);
  if (!candidate) return undefined;
  const passed = (await parts.decisions.list(name)).findLast(
    (d) => d.candidateVersion === candidate.version && d.outcome === 'promote',
  );
  return { candidate, startedAt: new Date(passed?.decidedAt ?? candidate.createdAt) };
}
