import { logHash, type Logger } from '@radflow/config';
import {
  accessionKey,
  canaryVerdict,
  impressionScores,
  shadowInput,
  type CanaryVerdict,
} from '@radflow/feedback';
import { parseRadiologistModelName, radiologistKey, radiologistModelName } from '@radflow/reports';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import type { CanaryArm, CanaryRecord } from '@radflow/store';
import type { CanaryParts } from './canary-parts.ts';
import { servingOf } from '../radiologist-model.ts';
import { endCanary } from './canary-settlement.ts';

/** What one enriched report did to the canary's evaluation (for logs and tests; no report content). */
export type CanaryStep =
  | { scored: false; reason: string }
  | {
      scored: boolean;
      arm: CanaryArm;
      canaryVersion: string;
      servingVersion: string;
      verdict: CanaryVerdict['verdict'];
      settled?: 'promoted' | 'rolled-back';
    };

/**
 * The model whose canary a draft may count for: the shared model or one of its radiologists' models
 * (`<shared>~r-<key>`), as the enricher named it; undefined for any other model.
 */
export function canaryModelOf(payload: ReportEnrichedPayload, sharedModelName: string): string | undefined {
  const { name } = payload.enrichment.model;
  if (name === sharedModelName) return name;
  return parseRadiologistModelName(name)?.sharedModelName === sharedModelName ? name : undefined;
}

/**
 * The radiologist's model whose first-model canary a shared-model draft may count for (the serving arm: the shared
 * model drafts that radiologist's reports outside the canary's share); undefined for a draft by another model or of a
 * report nobody is named as having signed.
 */
export function firstModelCanaryOf(
  payload: ReportEnrichedPayload,
  sharedModelName: string,
): string | undefined {
  const interpreter = payload.report.resultInterpreter;
  if (payload.enrichment.model.name !== sharedModelName || !interpreter?.id.trim()) return undefined;
  return radiologistModelName(sharedModelName, radiologistKey(interpreter));
}

/** Which arm of `modelName`'s canary a draft belongs to, or why it counts for neither. */
export function canaryArmOf(
  payload: ReportEnrichedPayload,
  modelName: string,
  canary: Pick<CanaryRecord, 'version'>,
  serving: { name: string; version: string },
): { arm: CanaryArm } | { skipped: string } {
  const { enrichment } = payload;
  if (enrichment.degraded || !enrichment.draftImpression?.trim()) return { skipped: 'no-model-draft' };
  // enrichment.model.route: events from before routing existed carry none, and the version alone then says the arm.
  // A radiologist's serving version is routed `radiologist`, the shared model's `serving`.
  const { name, version, route } = enrichment.model;
  if (name === modelName && version === canary.version && (route === undefined || route === 'canary'))
    return { arm: 'canary' };
  // The serving arm: the model's own serving version, or the shared model beside a radiologist's first model.
  if (name === serving.name && version === serving.version && route !== 'canary') return { arm: 'serving' };
  // Another model's drafts (a radiologist's own model for the shared canary, or the reverse) count for neither arm.
  return { skipped: name === modelName || name === serving.name ? 'other-version' : 'other-model' };
}

/**
 * The canary's live evaluation, one enriched report at a time: while a canary of the shared model or of the
 * drafting radiologist's own model runs, the draft the enricher served (by the canary, or by that model's serving
 * version for the other reports; beside a radiologist's first model, by the shared model for the rest of their
 * reports) is scored against the impression the radiologist signed, stored under an accession hash, and
 * canaryVerdict over every report since the canary started may end it:
 * `stop` rolls it back at once (the version rejected, decision and reason recorded, model.canary_ended); `pass`
 * promotes it when RETRAIN_CANARY_AUTO_PROMOTE is on, else waits for the operator (`radflow model promote`).
 * Nothing is drafted here: the drafts are the ones radiologists were shown.
 */
export class CanaryEvaluation {
  constructor(
    private readonly parts: CanaryParts,
    private readonly sharedModelName: string,
    private readonly logger: Logger,
  ) {}

  async onEnriched(payload: ReportEnrichedPayload): Promise<CanaryStep> {
    const modelName = canaryModelOf(payload, this.sharedModelName);
    if (modelName === undefined) return { scored: false, reason: 'other-model' };
    const step = await this.scoreFor(modelName, payload);
    // A shared-model draft of a report whose radiologist's first model is a canary is that canary's serving arm too.
    const firstModel = firstModelCanaryOf(payload, this.sharedModelName);
    if (firstModel === undefined) return step;
    const firstModelStep = await this.scoreFor(firstModel, payload);
    return step.scored || !firstModelStep.scored ? step : firstModelStep;
  }

  private async scoreFor(modelName: string, payload: ReportEnrichedPayload): Promise<CanaryStep> {
    const { parts } = this;
    const canary = await parts.canaries.current(modelName);
    if (!canary) return { scored: false, reason: 'no-canary' };
    const beside = await servingOf(parts, modelName);
    if (!beside) return { scored: false, reason: 'nothing-serving' };
    const serving = beside.record;
    const arm = canaryArmOf(payload, modelName, canary, { name: beside.draftedBy, version: serving.version });
    if ('skipped' in arm) return { scored: false, reason: arm.skipped };
    const input = shadowInput(payload.report);
    if ('skipped' in input) return { scored: false, reason: input.skipped };
    const scored = await parts.canaryScores.record({
      name: modelName,
      canaryVersion: canary.version,
      servingVersion: serving.version,
      reportKey: accessionKey(payload.report.accession, parts.settings.split.salt),
      arm: arm.arm,
      scores: impressionScores(payload.enrichment.draftImpression!, input.signedImpression),
    });
    const verdict = await canaryVerdictNow(parts, canary, serving.version);
    const settled = await this.settle(modelName, verdict);
    this.logger.info(
      {
        accessionHash: logHash(payload.report.accession),
        name: modelName,
        arm: arm.arm,
        canaryVersion: canary.version,
        servingVersion: serving.version,
        scored,
        reports: verdict.reports,
        verdict: verdict.verdict,
        ...(settled ? { settled, reasons: verdict.reasons } : {}),
      },
      settled ? `canary ${settled}` : 'canary report scored',
    );
    return {
      scored,
      arm: arm.arm,
      canaryVersion: canary.version,
      servingVersion: serving.version,
      verdict: verdict.verdict,
      ...(settled ? { settled } : {}),
    };
  }

  private async settle(
    modelName: string,
    verdict: CanaryVerdict,
  ): Promise<'promoted' | 'rolled-back' | undefined> {
    const { parts } = this;
    if (verdict.verdict === 'stop') {
      const ended = await endCanary(parts, modelName, {
        outcome: 'reject',
        reasons: verdict.reasons,
        comparisons: verdict.comparisons,
        decidedBy: 'canary',
        rejectVersion: true,
      });
      return ended ? 'rolled-back' : undefined;
    }
    if (verdict.verdict === 'pass' && parts.settings.canary.autoPromote) {
      const ended = await endCanary(parts, modelName, {
        outcome: 'promote',
        reasons: verdict.reasons,
        comparisons: verdict.comparisons,
        decidedBy: 'canary',
        rejectVersion: false,
      });
      return ended ? 'promoted' : undefined;
    }
    return undefined;
  }
}

/** The verdict over every report scored since the canary started, as if asked now. */
export async function canaryVerdictNow(
  parts: CanaryParts,
  canary: CanaryRecord,
  servingVersion: string,
  startedAt = new Date(canary.startedAt),
): Promise<CanaryVerdict> {
  const scores = await parts.canaryScores.list(canary.name, canary.version, servingVersion, startedAt);
  const arms = {
    canary: scores.filter((s) => s.arm === 'canary').map((s) => s.scores),
    serving: scores.filter((s) => s.arm === 'serving').map((s) => s.scores),
  };
  return canaryVerdict(arms, { startedAt, now: new Date() }, parts.settings.canary);
}
