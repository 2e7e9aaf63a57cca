import type {
  FeedbackPayload,
  LabelCorrection,
  OutputFeedback,
  RadiologyReport,
  ReportEnrichedPayload,
} from '@radflow/schemas';
import { radiologistKey } from '@radflow/reports';
import { nameBasedUuid } from './hashing.ts';

export type FeedbackOutput = OutputFeedback['output'];
export type FeedbackVerdict = OutputFeedback['verdict'];
export type FeedbackSource = FeedbackPayload['source'];

/**
 * One verdict on one output of one report, as the feedback store keeps it: the event's fields, completed with
 * the draft and the report text radflow stored when it made the draft. Holds PHI: never logged, scrubbed before
 * any training use.
 */
export interface FeedbackRecord {
  feedbackId: string;
  accession: string;
  reportVersion: string | null;
  source: FeedbackSource;
  reviewerId: string;
  /**
   * The radiologist who signed the report the draft was made for (radiologistKey of the stored report's
   * resultInterpreter): whose style this feedback teaches. Null when the report named nobody or no draft was stored;
   * feedbackRecords and the store always set it (optional only for records built by hand, e.g. in tests).
   */
  radiologistKey?: string | null;
  output: FeedbackOutput;
  verdict: FeedbackVerdict;
  model: { name: string; version: string } | null;
  draftText: string | null;
  correctedText: string | null;
  draftLabels: LabelCorrection[] | null;
  correctedLabels: LabelCorrection[] | null;
  correctedPriority: 'stat' | 'urgent' | 'routine' | null;
  /** What the model read: findings for the impression, the whole report for the label tasks. */
  findings: string | null;
  reportText: string | null;
  submittedAt: string;
}

/** A stored record with its place in arrival order (the retraining policy counts records after a watermark). */
export interface StoredFeedbackRecord extends FeedbackRecord {
  sequence: number;
}

function labelsOf(labels: { label: string; state: LabelCorrection['state'] }[]): LabelCorrection[] {
  return labels.map(({ label, state }) => ({ label, state }));
}

/**
 * The records of one feedback event, one per output. What the event leaves out (the draft, the model, the report
 * text) comes from the enrichment radflow stored for the accession, when there is one.
 */
export function feedbackRecords(
  payload: FeedbackPayload,
  enrichment?: ReportEnrichedPayload,
): FeedbackRecord[] {
  const drafted = enrichment?.enrichment;
  const report = enrichment?.report;
  const findings = payload.report?.findings ?? report?.sections.findings ?? null;
  const reportText = payload.report?.text ?? report?.text ?? null;
  const model =
    payload.model ?? (drafted ? { name: drafted.model.name, version: drafted.model.version } : null);
  const interpreter = report?.resultInterpreter;
  const signedBy = interpreter && interpreter.id.trim() !== '' ? radiologistKey(interpreter) : null;
  return payload.outputs.map((output): FeedbackRecord => {
    let draftText = output.draftText ?? null;
    let draftLabels = output.draftLabels ? labelsOf(output.draftLabels) : null;
    if (output.output === 'impression' && draftText === null) draftText = drafted?.draftImpression ?? null;
    if (output.output === 'abnormalities' && draftLabels === null && drafted)
      draftLabels = labelsOf(drafted.abnormalities);
    if (output.output === 'devices' && draftLabels === null && drafted)
      draftLabels = labelsOf(drafted.devices);
    return {
      feedbackId: payload.feedbackId,
      accession: payload.accession,
      reportVersion: payload.reportVersion ?? report?.reportVersion ?? null,
      source: payload.source,
      reviewerId: payload.reviewerId,
      radiologistKey: signedBy,
      output: output.output,
      verdict: output.verdict,
      model,
      draftText,
      correctedText: output.correctedText ?? null,
      draftLabels,
      correctedLabels: output.correctedLabels ? labelsOf(output.correctedLabels) : null,
      correctedPriority: output.correctedPriority ?? null,
      findings: findings && findings.trim() ? findings : null,
      reportText: reportText && reportText.trim() ? reportText : null,
      submittedAt: payload.submittedAt,
    };
  });
}

/** Why a signed or amended report yields no implicit feedback. */
export type ImplicitSkipReason =
  'no-draft' | 'same-version' | 'no-draft-impression' | 'no-final-impression' | 'not-final';

export const IMPLICIT_REVIEWER = 'report-signature';

/** Report statuses that carry what the radiologist signed. */
export const FINAL_STATUSES: ReadonlySet<RadiologyReport['status']> = new Set([
  'final',
  'amended',
  'corrected',
]);

/** Whitespace and case do not make an edit. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

/**
 * Implicit feedback: a signed or amended version of a report that radflow drafted for an earlier version. The
 * radiologist's impression is the target; the draft is kept beside it. The id is derived from the accession, the
 * version and the draft's model, so a redelivered report gives the same feedback id (stored once).
 */
export function implicitFeedback(
  finalReport: RadiologyReport,
  enrichment: ReportEnrichedPayload | undefined,
  now: Date = new Date(),
): { payload: FeedbackPayload } | { skipped: ImplicitSkipReason } {
  if (!FINAL_STATUSES.has(finalReport.status)) return { skipped: 'not-final' };
  if (!enrichment) return { skipped: 'no-draft' };
  if (enrichment.report.reportVersion === finalReport.reportVersion) return { skipped: 'same-version' };
  const draft = enrichment.enrichment.draftImpression?.trim();
  if (!draft) return { skipped: 'no-draft-impression' };
  const final = finalReport.sections.impression?.trim();
  if (!final) return { skipped: 'no-final-impression' };
  const model = { name: enrichment.enrichment.model.name, version: enrichment.enrichment.model.version };
  const verdict: FeedbackVerdict = sameText(draft, final) ? 'accept' : 'edit';
  const findings = finalReport.sections.findings?.trim();
  return {
    payload: {
      feedbackId: nameBasedUuid(
        `implicit|${finalReport.accession}|${finalReport.reportVersion}|${model.name}@${model.version}`,
      ),
      accession: finalReport.accession,
      reportVersion: enrichment.report.reportVersion,
      source: 'implicit',
      reviewerId: IMPLICIT_REVIEWER,
      model,
      submittedAt: now.toISOString(),
      report: { ...(findings ? { findings } : {}), impression: final, text: finalReport.text },
      outputs: [
        {
          output: 'impression',
          verdict,
          draftText: draft,
          ...(verdict === 'edit' ? { correctedText: final } : {}),
        },
      ],
    },
  };
}
