/** Where a report stands in review: nobody has judged its drafts yet, or the latest verdict. */
export type ReviewState = 'new' | 'accepted' | 'edited' | 'rejected';
export const REVIEW_STATES: readonly ReviewState[] = ['new', 'accepted', 'edited', 'rejected'];

export type Verdict = 'accept' | 'edit' | 'reject';

/**
 * The state one feedback submission puts a report in, from its per-output verdicts: an edit of any output makes
 * it edited, otherwise any rejection rejected, otherwise accepted.
 */
export function stateOfVerdicts(verdicts: readonly Verdict[]): ReviewState {
  if (verdicts.length === 0) return 'new';
  if (verdicts.includes('edit')) return 'edited';
  if (verdicts.includes('reject')) return 'rejected';
  return 'accepted';
}

/** One stored feedback row as the worklist reads it (explicit feedback only: reviewers, not signatures). */
export interface ReviewRecord {
  feedbackId: string;
  /** Arrival order in the feedback store. */
  sequence: number;
  verdict: Verdict;
  reviewerId: string;
}

/**
 * A report's review state: that of its latest feedback submission (the one holding the highest sequence), so a
 * reviewer who accepts and then edits leaves the report edited; the rows of one submission count together.
 */
export function reviewStateOf(records: readonly ReviewRecord[]): { state: ReviewState; reviewedBy?: string } {
  if (records.length === 0) return { state: 'new' };
  const latest = records.reduce((a, b) => (b.sequence > a.sequence ? b : a));
  const submission = records.filter((r) => r.feedbackId === latest.feedbackId);
  return { state: stateOfVerdicts(submission.map((r) => r.verdict)), reviewedBy: latest.reviewerId };
}
