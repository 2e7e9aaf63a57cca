import { readModelManifest } from '../artifact-store.ts';
import { ModelEvents } from '../model-events.ts';
import { ModelDeployments } from '@radflow/store';
import { connect, type CommandOptions } from './connect.ts';

export interface RollbackOptions extends CommandOptions {
  /** Registry name; RETRAIN_MODEL_NAME or the serving model's name by default. */
  modelName?: string;
  /** Go back to this version (it must have served before); by default the one that served before the current. */
  toVersion?: string;
  /** Why, for the serving history. */
  reason?: string;
}

export interface RollbackResult {
  name: string;
  from: { version: string; modelDir: string };
  to: { version: string; modelDir: string };
  deploymentId: number;
}

/**
 * `radflow rollback`: restores the previous model version in the registry and announces it as model.promoted
 * (action rollback) on rad.model.events.v1, so the inference service reloads it. Throws ModelRegistryError
 * (codes NO_CURRENT_MODEL, NOTHING_TO_ROLL_BACK, NOT_DEPLOYABLE) when there is nothing to go back to.
 */
export async function runRollback(options: RollbackOptions = {}): Promise<RollbackResult> {
  const context = await connect(options, 'radflow-rollback');
  try {
    const name =
      options.modelName ??
      context.settings.modelName ??
      readModelManifest(context.settings.baseModelDir).name;
    const { from, to, deployment } = await new ModelDeployments(context.database).rollback(
      name,
      options.reason ?? 'operator rollback',
      options.toVersion,
    );
    await new ModelEvents(context.bus, context.logger).publish({
      kind: 'model.promoted',
      name,
      version: to.version,
      modelDir: to.modelDir,
      action: 'rollback',
      previousVersion: from.version,
    });
    return {
      name,
      from: { version: from.version, modelDir: from.modelDir },
      to: { version: to.version, modelDir: to.modelDir },
      deploymentId: deployment.id,
    };
  } finally {
    await context.close();
  }
}
