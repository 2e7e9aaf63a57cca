import type { FeedbackRecord, StoredFeedbackRecord } from '@radflow/feedback';
import type { LabelCorrection } from '@radflow/schemas';
import { radiologistModelName } from '@radflow/reports';
import type { Database } from './database.ts';

/** One verdict on one output, as stored: the feedback library's record. */
export type FeedbackRow = FeedbackRecord;
export type StoredFeedbackRow = StoredFeedbackRecord;

/**
 * Which feedback a model learns from: verdicts on drafts of models with this name (any version), and optionally
 * feedback that names no model (reports radflow did not draft itself). With `radiologistKey`, only feedback on
 * reports that radiologist signed, on drafts of the shared model or of the radiologist's own
 * (`radiologistModelName(modelName, key)`): what that radiologist's model learns from.
 */
export interface FeedbackScope {
  modelName: string;
  includeUnattributed: boolean;
  /** radiologistKey (libs/reports) of the signing radiologist: a per-radiologist model's feedback. */
  radiologistKey?: string;
}

/** One radiologist's trainable feedback in a shared model's scope (their key, never their id). */
export interface RadiologistFeedbackCount {
  radiologistKey: string;
  count: number;
}

// $3 the shared model's name, $4 include unattributed, $5 the radiologist's key or NULL, $6 their model's name or NULL.
const scopeClause =
  '(model_name = $3 OR model_name = $6 OR ($4 AND model_name IS NULL)) AND ($5::text IS NULL OR radiologist_key = $5)';

function scopeParams(scope: FeedbackScope): [string, boolean, string | null, string | null] {
  const key = scope.radiologistKey ?? null;
  return [
    scope.modelName,
    scope.includeUnattributed,
    key,
    key === null ? null : radiologistModelName(scope.modelName, key),
  ];
}

/** `text` as a LIKE pattern that matches it literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

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
  radiologist_key: string | null;
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
    radiologistKey: row.radiologist_key,
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

/** Radiologists' feedback in PostgreSQL (migrations 010 and 015). Saving is idempotent per (feedback id, output). */
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
             report_text, submitted_at, radiologist_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
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
            r.radiologistKey ?? null,
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
      [afterSequence, TRAINABLE_FEEDBACK_OUTPUTS, ...scopeParams(scope)],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  /**
   * Trainable records per signing radiologist in a shared model's scope (drafts of the shared model or of any of its
   * per-radiologist models) that arrived after `afterSequence`, most first. Records with no radiologist are left out.
   */
  async trainableByRadiologist(
    afterSequence: number,
    scope: Omit<FeedbackScope, 'radiologistKey'>,
  ): Promise<RadiologistFeedbackCount[]> {
    const result = await this.database.query<{ radiologist_key: string; n: string }>(
      `SELECT radiologist_key, count(*) AS n FROM feedback
       WHERE sequence > $1 AND output = ANY($2) AND radiologist_key IS NOT NULL
         AND (model_name = $3 OR model_name LIKE $5 ESCAPE '\\' OR ($4 AND model_name IS NULL))
       GROUP BY radiologist_key ORDER BY count(*) DESC, radiologist_key`,
      [
        afterSequence,
        TRAINABLE_FEEDBACK_OUTPUTS,
        scope.modelName,
        scope.includeUnattributed,
        `${likeLiteral(radiologistModelName(scope.modelName, ''))}%`,
      ],
    );
    return result.rows.map((row) => ({ radiologistKey: row.radiologist_key, count: Number(row.n) }));
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
         SELECT * FROM feedback WHERE sequence <= $1 AND output = ANY($2) AND ${scopeClause} ORDER BY sequence DESC LIMIT $7
       ) recent ORDER BY sequence ASC`,
      [throughSequence, TRAINABLE_FEEDBACK_OUTPUTS, ...scopeParams(scope), limit],
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
