import { CanaryScores, ModelCanaries, type Database } from '@radflow/store';
import type { RetrainingParts } from '../retraining-run.ts';

/** The registry parts plus the canary's own tables (model_canaries, canary_scores). */
export interface CanaryParts extends RetrainingParts {
  readonly canaries: ModelCanaries;
  readonly canaryScores: CanaryScores;
}

export function canaryParts(parts: RetrainingParts, database: Database): CanaryParts {
  return { ...parts, canaries: new ModelCanaries(database), canaryScores: new CanaryScores(database) };
}
