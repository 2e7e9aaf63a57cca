import {
  evaluationGate,
  radiologistEvaluationGate,
  type FixedEvaluationSet,
  type GateDecision,
  type TrainingExample,
} from '@radflow/feedback';
import { evaluationSets, modelOutputs } from './model-evaluator.ts';
import type { Candidate, RetrainingParts, RetrainingRun } from './retraining-run.ts';

/**
 * Step 3: the candidate and the serving model answer the fixed set and the held-out feedback, and the gate
 * (libs/feedback evaluationGate; radiologistEvaluationGate for a radiologist's model) compares them on the same
 * resamples.
 */
export async function evaluateCandidate(
  parts: RetrainingParts,
  run: RetrainingRun,
  candidate: Candidate,
  sets: { fixed: () => FixedEvaluationSet; heldOut: readonly TrainingExample[] },
): Promise<GateDecision> {
  const started = Date.now();
  const { evaluation: settings } = parts.settings;
  const inputs = { fixed: sets.fixed(), feedback: sets.heldOut.slice(0, settings.feedbackSetSize) };
  const progress = (model: number) => (done: number, total: number) => {
    const fraction = (model + done / total) / 2;
    run.log.info({ stage: 'evaluation', done: model * total + done, total: 2 * total }, 'evaluating');
    void parts.events
      .publish({
        kind: 'training.progress',
        name: run.name,
        version: candidate.version,
        runId: run.runId,
        progress: { stage: 'evaluation', fraction },
      })
      .catch(() => undefined);
  };
  const options = { maxNewTokens: settings.maxNewTokens, threads: settings.threads };
  const candidateOutputs = await modelOutputs(candidate.modelDir, inputs, {
    ...options,
    onDone: progress(0),
  });
  const currentOutputs = await modelOutputs(run.current.modelDir, inputs, {
    ...options,
    onDone: progress(1),
  });
  // A radiologist's model is meant to write like them, not like the hospital's fixed set: its impression is gated on
  // their own held-out feedback instead (libs/feedback radiologistEvaluationGate).
  const gate = run.scope.radiologistKey ? radiologistEvaluationGate : evaluationGate;
  const decision = gate(evaluationSets(inputs, candidateOutputs, currentOutputs), parts.settings.gate);
  run.outcome.decision = decision;
  run.outcome.seconds.evaluation = (Date.now() - started) / 1000;
  return decision;
}
