export interface RetrainingPolicy {
  /** Retrain once this many new trainable feedback records have arrived since the last run started. */
  minNewExamples: number;
  /** Also retrain on a schedule, this long after the last run started (0: no schedule). */
  scheduleEveryMs: number;
  /** A scheduled run needs at least this many new records (a schedule alone never retrains on nothing). */
  minNewExamplesForSchedule: number;
  /** Never start two runs closer than this (protects the machine from a feedback burst). */
  minIntervalMs: number;
}

export const DEFAULT_RETRAINING_POLICY: RetrainingPolicy = {
  minNewExamples: 50,
  scheduleEveryMs: 0,
  minNewExamplesForSchedule: 1,
  minIntervalMs: 60_000,
};

export interface RetrainingState {
  newExamples: number;
  /** When the last run started; null when none ever ran. */
  lastRunStartedAt: Date | null;
  running: boolean;
  now: Date;
}

export type RetrainingDecision =
  { run: true; trigger: 'threshold' | 'schedule'; reason: string } | { run: false; reason: string };

/** Whether to start a retraining run now, and why (the reason goes to the logs). */
export function retrainingDecision(policy: RetrainingPolicy, state: RetrainingState): RetrainingDecision {
  if (state.running) return { run: false, reason: 'a run is in progress' };
  const sinceLast = state.lastRunStartedAt
    ? state.now.getTime() - state.lastRunStartedAt.getTime()
    : Number.POSITIVE_INFINITY;
  if (sinceLast < policy.minIntervalMs) {
    return {
      run: false,
      reason: `last run started ${Math.round(sinceLast / 1000)} s ago (minimum ${Math.round(policy.minIntervalMs / 1000)} s)`,
    };
  }
  if (state.newExamples >= policy.minNewExamples) {
    return {
      run: true,
      trigger: 'threshold',
      reason: `${state.newExamples} new feedback records >= ${policy.minNewExamples}`,
    };
  }
  if (policy.scheduleEveryMs > 0 && sinceLast >= policy.scheduleEveryMs) {
    if (state.newExamples >= policy.minNewExamplesForSchedule) {
      return {
        run: true,
        trigger: 'schedule',
        reason: `scheduled (every ${Math.round(policy.scheduleEveryMs / 60_000)} min) with ${state.newExamples} new records`,
      };
    }
    return {
      run: false,
      reason: `scheduled run due, but only ${state.newExamples} new records (< ${policy.minNewExamplesForSchedule})`,
    };
  }
  return { run: false, reason: `${state.newExamples} new feedback records < ${policy.minNewExamples}` };
}

/** One radiologist's feedback as the per-radiologist policy sees it (their key, never their id). */
export interface RadiologistFeedback {
  radiologistKey: string;
  /** Trainable records signed by this radiologist (all time, or since a watermark: the caller says which). */
  count: number;
}

/**
 * The radiologists with enough feedback to be worth a closer look, most feedback first: a cheap first cut on
 * all-time counts before each one's watermark is read. `minFeedback` 0 turns per-radiologist models off.
 */
export function radiologistsWithEnoughFeedback(
  minFeedback: number,
  counts: readonly RadiologistFeedback[],
): RadiologistFeedback[] {
  if (minFeedback <= 0) return [];
  return counts
    .filter((c) => c.count >= minFeedback)
    .sort((a, b) => b.count - a.count || a.radiologistKey.localeCompare(b.radiologistKey));
}

export interface RadiologistRetrainingState extends RetrainingState {
  /** A candidate of this radiologist's model is in shadow evaluation: the next run waits for its verdict. */
  inShadow: boolean;
}

/**
 * Whether one radiologist is due for a run of their own model: at least `minFeedback` new trainable records signed
 * by them since their model's last decided run, with the shared policy's interval between runs and no candidate of
 * theirs in shadow. No schedule: a radiologist's model changes only when they gave enough new feedback.
 */
export function radiologistRetrainingDecision(
  policy: RetrainingPolicy,
  minFeedback: number,
  state: RadiologistRetrainingState,
): RetrainingDecision {
  if (minFeedback <= 0) return { run: false, reason: 'per-radiologist models are off' };
  if (state.inShadow) return { run: false, reason: 'a candidate is in shadow evaluation' };
  return retrainingDecision(
    { ...policy, minNewExamples: minFeedback, scheduleEveryMs: 0 },
    {
      newExamples: state.newExamples,
      lastRunStartedAt: state.lastRunStartedAt,
      running: state.running,
      now: state.now,
    },
  );
}
