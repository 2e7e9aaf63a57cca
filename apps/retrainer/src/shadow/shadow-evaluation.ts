import { logHash, type Logger } from '@radflow/config';
import {
  accessionKey,
  impressionScores,
  shadowInput,
  shadowVerdict,
  type ShadowVerdict,
} from '@radflow/feedback';
import { radiologistKey, radiologistModelName } from '@radflow/reports';
import type { RadiologyReport } from '@radflow/schemas';
import type { ModelVersionRecord } from '@radflow/store';
import { servingOf } from '../radiologist-model.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import { candidateInShadow } from './candidate-in-shadow.ts';
import type { ShadowDrafter } from './shadow-drafter.ts';
import { settleShadow } from './shadow-settlement.ts';

/** What one finalized report did to shadow evaluation (for logs and tests; no report content). */
export type ShadowStep =
  | { scored: false; reason: string }
  | {
      scored: boolean;
      candidateVersion: string;
      servingVersion: string;
      verdict: ShadowVerdict['verdict'];
      settled?: 'promoted' | 'rejected' | 'canary' | 'held';
    };

const NO_CANDIDATE = 'no-candidate-in-shadow';

/**
 * The shadow stage's work on one finalized report: when a candidate is in shadow, both it and the serving model
 * draft the impression from the report's findings, both drafts are scored against the impression the radiologist
 * signed, the scores are stored (keyed by an accession hash), and the verdict over every report so far may settle
 * the candidate. The drafts themselves go nowhere: never published, never written back, never logged.
 */
export class ShadowEvaluation {
  constructor(
    private readonly parts: RetrainingParts,
    private readonly drafter: ShadowDrafter,
    private readonly modelName: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Scores the report for the shared model's candidate in shadow and, when the report names the radiologist who
   * signed it, for that radiologist's candidate (`<shared>~r-<key>`): a radiologist's candidate is scored on their
   * own reports only. Answers the shared model's step, or the radiologist's when only theirs had a candidate.
   */
  async onFinalized(report: RadiologyReport, producedAt: Date): Promise<ShadowStep> {
    const shared = await this.scoreFor(this.modelName, report, producedAt);
    const interpreter = report.resultInterpreter;
    const own =
      interpreter && interpreter.id.trim() !== ''
        ? await this.scoreFor(
            radiologistModelName(this.modelName, radiologistKey(interpreter)),
            report,
            producedAt,
          )
        : undefined;
    const withCandidate = (step: ShadowStep | undefined) =>
      step !== undefined && !('reason' in step && step.reason === NO_CANDIDATE);
    if (!withCandidate(shared) && !withCandidate(own)) await this.drafter.release();
    return !withCandidate(shared) && own && withCandidate(own) ? own : shared;
  }

  /** What serves a model's reports (servingOf: for a radiologist with none of their own, the shared model). */
  private async servingFor(name: string): Promise<ModelVersionRecord | undefined> {
    return (await servingOf(this.parts, name))?.record;
  }

  /** One model's candidate in shadow, scored on this report beside what serves that model's reports. */
  private async scoreFor(name: string, report: RadiologyReport, producedAt: Date): Promise<ShadowStep> {
    const { parts } = this;
    const shadow = await candidateInShadow(parts, name);
    if (!shadow) return { scored: false, reason: NO_CANDIDATE };
    // Reports from before the shadow began may be what the candidate was trained on: live traffic only.
    if (producedAt < shadow.startedAt) return { scored: false, reason: 'before-shadow' };
    const input = shadowInput(report);
    if ('skipped' in input) return { scored: false, reason: input.skipped };
    const serving = await this.servingFor(name);
    if (!serving) return { scored: false, reason: 'nothing-serving' };
    const { candidate } = shadow;

    const [candidateDraft, servingDraft] = await this.drafter.draft(
      [candidate.modelDir, serving.modelDir],
      input.findings,
    );
    const scored = await parts.shadowScores.record({
      name,
      candidateVersion: candidate.version,
      servingVersion: serving.version,
      reportKey: accessionKey(report.accession, parts.settings.split.salt),
      candidate: impressionScores(candidateDraft!, input.signedImpression),
      serving: impressionScores(servingDraft!, input.signedImpression),
    });
    const scores = await parts.shadowScores.list(name, candidate.version, serving.version);
    const verdict = shadowVerdict(
      scores,
      { startedAt: shadow.startedAt, now: new Date() },
      parts.settings.shadow,
    );
    const settled = await settleShadow(parts, candidate, serving, verdict);
    const rougeL = verdict.comparisons.find((c) => c.metric === 'rougeL');
    this.logger.info(
      {
        accessionHash: logHash(report.accession),
        name,
        candidateVersion: candidate.version,
        servingVersion: serving.version,
        scored,
        reports: verdict.reports,
        rougeLDifference: rougeL?.difference,
        verdict: verdict.verdict,
        ...(settled ? { settled, reasons: verdict.reasons } : {}),
      },
      settled ? `candidate ${settled} after shadow evaluation` : 'shadow report scored',
    );
    return {
      scored,
      candidateVersion: candidate.version,
      servingVersion: serving.version,
      verdict: verdict.verdict,
      ...(settled ? { settled } : {}),
    };
  }
}
