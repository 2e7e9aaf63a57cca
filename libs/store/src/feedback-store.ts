import type { FeedbackRecord, StoredFeedbackRecord } from '@radflow/feedback';
import type { LabelCorrection } from '@radflow/schemas';
import type { Database } from './database.ts';

/** One verdict on one output, as stored: the feedback library's record. */
export type FeedbackRow = FeedbackRecord;
export type StoredFeedbackRow = StoredFeedbackRecord;

/**
 * Which feedback a model learns from: verdicts on drafts of models with this name (any version), and optionally
 * feedback that names no model (reports radflow did not draft itself).
 */
export interface FeedbackScope {
  modelName: string;
  includeUnattributed: boolean;
}

const scopeClause = '(model_name = $3 OR ($4 AND model_name IS NULL))';

/** The outputs a model learns from; the retraining policy counts only these. */
export const TRAINABLE_FEEDBACK_OUTPUTS = ['impression', 'abnormalities', 'devices'] as const;

interface Row {
  sequence: string;
  feedback_id: string;
  output: FeedbackRow['output'];
  accession: string;
  report_version: string | null;
  source: FeedbackRow['source'];
  reviewer_id: string;
  verdict: FeedbackRow['verdict'];
  model_name: string | null;
  model_version: string | null;
  draft_text: string | null;
  corrected_text: string | null;
  draft_labels: LabelCorrection[] | null;
  corrected_labels: LabelCorrection[] | null;
  corrected_priority: FeedbackRow['correctedPriority'];
  findings: string | null;
  report_text: string | null;
  submitted_at: Date;
}

function fromRow(row: Row): StoredFeedbackRow {
  return {
    sequence: Number(row.sequence),
    feedbackId: row.feedback_id,
    accession: row.accession,
    reportVersion: row.report_version,
    source: row.source,
    reviewerId: row.reviewer_id,
    output: row.output,
    verdict: row.verdict,
    model:
      row.model_name !== null && row.model_version !== null
        ? { name: row.model_name, version: row.model_version }
        : null,
    draftText: row.draft_text,
    correctedText: row.corrected_text,
    draftLabels: row.draft_labels,
    correctedLabels: row.corrected_labels,
    correctedPriority: row.corrected_priority,
    findings: row.findings,
    reportText: row.report_text,
    submittedAt: row.submitted_at.toISOString(),
  };
}

/** Radiologists' feedback in PostgreSQL (migration 010). Saving is idempotent per (feedback id, output). */
export class FeedbackStore {
  constructor(private readonly database: Database) {}

  /** Stores the rows of one feedback event in one transaction; returns how many were new. */
  async save(rows: readonly FeedbackRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const client = await this.database.connect();
    let inserted = 0;
    try {
      await client.query('BEGIN');
      for (const r of rows) {
        const result = await client.query(
          `INSERT INTO feedback (feedback_id, output, accession, report_version, source, reviewer_id, verdict, model_name,
             model_version, draft_text, corrected_text, draft_labels, corrected_labels, corrected_priority, findings,
             report_text, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (feedback_id, output) DO NOTHING`,
          [
            r.feedbackId,
            r.output,
            r.accession,
            r.reportVersion,
            r.source,
            r.reviewerId,
            r.verdict,
            r.model?.name ?? null,
            r.model?.version ?? null,
            r.draftText,
            r.correctedText,
            r.draftLabels === null ? null : JSON.stringify(r.draftLabels),
            r.correctedLabels === null ? null : JSON.stringify(r.correctedLabels),
            r.correctedPriority,
            r.findings,
            r.reportText,
            r.submittedAt,
          ],
        );
        inserted += result.rowCount ?? 0;
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return inserted;
  }

  /** Trainable records in `scope` that arrived after `afterSequence`. */
  async countTrainableSince(afterSequence: number, scope: FeedbackScope): Promise<number> {
    const result = await this.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM feedback WHERE sequence > $1 AND output = ANY($2) AND ${scopeClause}`,
      [afterSequence, TRAINABLE_FEEDBACK_OUTPUTS, scope.modelName, scope.includeUnattributed],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  /** The highest sequence stored (0 when empty): the watermark a run records. */
  async latestSequence(): Promise<number> {
    const result = await this.database.query<{ s: string | null }>('SELECT max(sequence) AS s FROM feedback');
    return Number(result.rows[0]?.s ?? 0);
  }

  /** Trainable records in `scope` up to `throughSequence`, oldest first; `limit` keeps the most recent ones. */
  async trainable(
    throughSequence: number,
    scope: FeedbackScope,
    limit = 100_000,
  ): Promise<StoredFeedbackRow[]> {
    const result = await this.database.query<Row>(
      `SELECT * FROM (
         SELECT * FROM feedback WHERE sequence <= $1 AND output = ANY($2) AND ${scopeClause} ORDER BY sequence DESC LIMIT $5
       ) recent ORDER BY sequence ASC`,
      [throughSequence, TRAINABLE_FEEDBACK_OUTPUTS, scope.modelName, scope.includeUnattributed, limit],
    );
    return result.rows.map(fromRow);
  }

  async forAccession(accession: string): Promise<StoredFeedbackRow[]> {
    const result = await this.database.query<Row>(
      'SELECT * FROM feedback WHERE accession = $1 ORDER BY sequence',
      [accession],
    );
    return result.rows.map(fromRow);
  }

  async byFeedbackId(feedbackId: string): Promise<StoredFeedbackRow[]> {
    const result = await this.database.query<Row>(
      'SELECT * FROM feedback WHERE feedback_id = $1 ORDER BY sequence',
      [feedbackId],
    );
    return result.rows.map(fromRow);
  }
}
