import type { Logger } from '@radflow/config';
import type { KafkaBus } from '@radflow/events';
import {
  FeedbackStore,
  GateDecisions,
  ModelDeployments,
  ModelVersions,
  ShadowScores,
  TrainingRuns,
  type Database,
} from '@radflow/store';
import { ArtifactStore, readModelManifest } from './artifact-store.ts';
import { ModelEvents } from './model-events.ts';
import type { RetrainerSettings } from './retrainer-settings.ts';
import type { RetrainingParts } from './retraining-run.ts';

/** The registry's tables, the feedback, the artifact store and the model events, for a run or the shadow stage. */
export function retrainingParts(
  database: Database,
  bus: KafkaBus,
  logger: Logger,
  settings: RetrainerSettings,
): RetrainingParts {
  return {
    settings,
    feedback: new FeedbackStore(database),
    versions: new ModelVersions(database),
    deployments: new ModelDeployments(database),
    decisions: new GateDecisions(database),
    runs: new TrainingRuns(database),
    shadowScores: new ShadowScores(database),
    artifacts: new ArtifactStore(settings.registryDir),
    events: new ModelEvents(bus, logger),
  };
}

/** The registry name of the model retrained: RETRAIN_MODEL_NAME, else the serving model's manifest name. */
export function registryModelName(settings: Pick<RetrainerSettings, 'modelName' | 'baseModelDir'>): string {
  return settings.modelName ?? readModelManifest(settings.baseModelDir).name;
}
