import type { FeedbackPayload, OutputFeedback, ReportEnrichedPayload } from '@radflow/schemas';
import { textsDiffer } from './word-diff.ts';

/** What a reviewer can do with a report's drafts on the worklist. */
export type ReviewAction =
  { kind: 'accept' } | { kind: 'edit'; impression: string } | { kind: 'reject'; reason?: string };

export class ReviewActionError extends Error {
  constructor(
    readonly code: 'EMPTY_EDIT' | 'NO_DRAFT' | 'REASON_TOO_LONG' | 'UNKNOWN_ACTION',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewActionError';
  }
}

export const MAX_REASON_LENGTH = 2000;

/** Reads an action from a request body; anything else is a ReviewActionError. */
export function parseReviewAction(body: unknown): ReviewAction {
  const b = (body ?? {}) as { action?: unknown; impression?: unknown; reason?: unknown };
  if (b.action === 'accept') return { kind: 'accept' };
  if (b.action === 'edit') {
    const impression = typeof b.impression === 'string' ? b.impression.trim() : '';
    if (!impression) throw new ReviewActionError('EMPTY_EDIT', 'an edit needs the corrected impression');
    return { kind: 'edit', impression };
  }
  if (b.action === 'reject') {
    const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
    if (reason.length > MAX_REASON_LENGTH)
      throw new ReviewActionError('REASON_TOO_LONG', `a reason is at most ${MAX_REASON_LENGTH} characters`);
    return reason ? { kind: 'reject', reason } : { kind: 'reject' };
  }
  throw new ReviewActionError('UNKNOWN_ACTION', 'action must be accept, edit or reject');
}

const labelsOf = (labels: { label: string; state: 'present' | 'absent' | 'uncertain' }[]) =>
  labels.map(({ label, state }) => ({ label, state }));

/**
 * The rad.feedback.v1 payload of one worklist action on one enriched report (explicit feedback):
 * - accept: every draft output as it is (priority, impression, abnormality and device labels, temporal);
 * - edit: the draft impression, with the reviewer's text (an "edit" that changes no word is an accept);
 * - reject: the draft impression (the labels when the model made none), with the reason as the comment.
 * `feedbackId` is the client's idempotency key: a double click sends the same id, stored once.
 */
export function feedbackForAction(
  action: ReviewAction,
  enriched: ReportEnrichedPayload,
  who: { reviewerId: string; feedbackId: string; submittedAt: string },
): FeedbackPayload {
  const { report, enrichment } = enriched;
  const draft = enrichment.draftImpression?.trim();
  let outputs: [OutputFeedback, ...OutputFeedback[]];
  switch (action.kind) {
    case 'accept':
      outputs = [
        { output: 'priority', verdict: 'accept' },
        ...(draft ? [{ output: 'impression' as const, verdict: 'accept' as const, draftText: draft }] : []),
        {
          output: 'abnormalities',
          verdict: 'accept',
          draftLabels: labelsOf(enrichment.abnormalities),
        },
        { output: 'devices', verdict: 'accept', draftLabels: labelsOf(enrichment.devices) },
        ...(enrichment.temporal ? [{ output: 'temporal' as const, verdict: 'accept' as const }] : []),
      ];
      break;
    case 'edit':
      if (!draft) throw new ReviewActionError('NO_DRAFT', 'this report has no draft impression to edit');
      outputs = textsDiffer(draft, action.impression)
        ? [{ output: 'impression', verdict: 'edit', draftText: draft, correctedText: action.impression }]
        : [{ output: 'impression', verdict: 'accept', draftText: draft }];
      break;
    case 'reject': {
      const comment = action.reason ? { comment: action.reason } : {};
      outputs = draft
        ? [{ output: 'impression', verdict: 'reject', draftText: draft, ...comment }]
        : [
            {
              output: 'abnormalities',
              verdict: 'reject',
              draftLabels: labelsOf(enrichment.abnormalities),
              ...comment,
            },
          ];
      break;
    }
  }
  return {
    feedbackId: who.feedbackId,
    accession: report.accession,
    reportVersion: report.reportVersion,
    source: 'explicit',
    reviewerId: who.reviewerId,
    model: { name: enrichment.model.name, version: enrichment.model.version },
    submittedAt: who.submittedAt,
    outputs,
  };
}
