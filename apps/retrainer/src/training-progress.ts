import type { TrainerProgress } from './trainer-process.ts';

/** At most this long between two published training steps (the trainer may report every step). */
const MAX_QUIET_MS = 5000;

/**
 * Whether a trainer progress line becomes a training.progress event: every tenth of the steps, the last step and
 * every export line always; other steps only when nothing was published for a while, so a long run is not silent.
 */
export function publishesTrainingProgress(progress: TrainerProgress, msSinceLastPublished: number): boolean {
  if (progress.stage !== 'training') return true;
  const every = Math.max(1, Math.floor(progress.totalSteps / 10));
  return (
    progress.step % every === 0 ||
    progress.step === progress.totalSteps ||
    msSinceLastPublished >= MAX_QUIET_MS
  );
}
