import type { Logger } from '@radflow/config';
import type { GateDecision } from '@radflow/feedback';
import type {
  FeedbackScope,
  FeedbackStore,
  GateDecisions,
  ModelDeployments,
  ModelVersionRecord,
  ModelVersions,
  ShadowScores,
  TrainingRuns,
} from '@radflow/store';
import type { ArtifactStore } from './artifact-store.ts';
import type { ModelEvents } from './model-events.ts';
import type { RetrainerSettings } from './retrainer-settings.ts';
import { TrainerFailedError } from './trainer-process.ts';

export interface RunOptions {
  trigger: string;
  /** Train on answers permuted across examples: a control that the gate must reject. */
  shuffleTargets?: boolean;
}

export interface RunOutcome {
  runId: string;
  name: string;
  /** shadow: the gate passed the candidate, which now drafts on live reports until shadow evaluation settles it. */
  status: 'promoted' | 'rejected' | 'shadow' | 'failed';
  baseVersion: string;
  candidateVersion?: string;
  candidateDir?: string;
  dataSnapshot?: string;
  decision?: GateDecision;
  error?: { code: string; reason: string };
  examples?: { train: number; eval: number };
  seconds: { total: number; dataset?: number; training?: number; evaluation?: number };
  reportPath?: string;
}

/** What the steps of a run read and write: the registry's tables, the artifact store, the event stream. */
export interface RetrainingParts {
  readonly settings: RetrainerSettings;
  readonly feedback: FeedbackStore;
  readonly versions: ModelVersions;
  readonly deployments: ModelDeployments;
  readonly decisions: GateDecisions;
  readonly runs: TrainingRuns;
  readonly shadowScores: ShadowScores;
  readonly artifacts: ArtifactStore;
  readonly events: ModelEvents;
}

/** One run in progress, as each step sees it. */
export interface RetrainingRun {
  readonly runId: string;
  readonly name: string;
  readonly scope: FeedbackScope;
  /** What serves this model's reports: the model the candidate must not be worse than. */
  readonly current: ModelVersionRecord;
  /**
   * What the trainer fine-tunes: `current` for the shared model; for a radiologist's model the shared model's serving
   * version (their adapter sits on the shared base, while `current` may be their previous adapter).
   */
  readonly base: ModelVersionRecord;
  readonly runDir: string;
  readonly log: Logger;
  /** Filled in as the steps go, so that a failed run still reports how far it got. */
  readonly outcome: RunOutcome;
}

/** The candidate a run trained, once it is in the artifact store and the registry. */
export interface Candidate {
  version: string;
  modelDir: string;
  /** The hash of the data set it was trained on. */
  dataSnapshot: string;
}

/** A step found that the run cannot go on; code and reason go to the run's row and training.failed. */
export class RunFailure extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The code and reason a failed run is recorded with, whatever was thrown. */
export function failureOf(error: unknown): { code: string; reason: string } {
  if (error instanceof RunFailure || error instanceof TrainerFailedError)
    return { code: error.code, reason: error.reason };
  return {
    code: (error as { code?: string }).code ?? (error as Error).name ?? 'UNKNOWN',
    reason: (error as Error).message ?? String(error),
  };
}
