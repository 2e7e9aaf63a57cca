import { RetrainingPipeline, type RunOutcome } from '../retraining-pipeline.ts';
import { connect, type CommandOptions } from './connect.ts';

export interface RetrainOptions extends CommandOptions {
  /** Recorded as the run's trigger; 'manual' by default. */
  trigger?: string;
  /** Train on permuted answers: a control run that the gate must reject. */
  shuffleTargets?: boolean;
}

/** `radflow retrain`: one retraining run now, whatever the policy says; resolves with its outcome and numbers. */
export async function runRetraining(options: RetrainOptions = {}): Promise<RunOutcome> {
  const context = await connect(options, 'radflow-retrain');
  try {
    const pipeline = new RetrainingPipeline(context.database, context.bus, context.logger, context.settings);
    return await pipeline.run({
      trigger: options.trigger ?? 'manual',
      shuffleTargets: options.shuffleTargets ?? false,
    });
  } finally {
    await context.close();
  }
}
