import type { ReportEnrichedPayload } from '@radflow/schemas';
import type { Database } from './database.ts';

/**
 * One exam on the worklist: its latest enrichment (from `latest`, only the fields a row shows) and the opaque id
 * the page's URLs carry.
 */
export interface WorklistEnrichment {
  id: string;
  enriched: ReportEnrichedPayload;
}

/** One explicit verdict on an exam's drafts (reviewers only; implicit feedback comes from signatures). */
export interface WorklistVerdict {
  accession: string;
  feedbackId: string;
  sequence: number;
  verdict: 'accept' | 'edit' | 'reject';
  reviewerId: string;
}

/**
 * The opaque id of an accession, in SQL: the first 32 hex digits of sha256(key ":" accession). The worklist
 * computes the same in Node for live events (worklist opaqueId); URLs never carry the accession itself.
 */
const opaqueIdSql = `left(encode(sha256(convert_to($1 || ':' || accession, 'UTF8')), 'hex'), 32)`;

/** Read-only queries of the worklist page over the enrichments and feedback tables (migrations 001, 010). */
export class WorklistQueries {
  constructor(
    private readonly database: Database,
    private readonly idKey: string,
  ) {}

  /**
   * The latest enrichment of each of the `limit` most recently enriched exams, cut down to what a worklist row
   * shows (no report text, no labels): the list stays small however long the reports are.
   */
  async latest(limit: number): Promise<WorklistEnrichment[]> {
    const result = await this.database.query<{ id: string; enriched: ReportEnrichedPayload }>(
      `SELECT ${opaqueIdSql} AS id, jsonb_strip_nulls(jsonb_build_object(
         'report', jsonb_build_object(
           'accession', enriched->'report'->'accession',
           'reportVersion', enriched->'report'->'reportVersion',
           'procedure', enriched->'report'->'procedure',
           'reportedAt', enriched->'report'->'reportedAt'),
         'enrichment', jsonb_build_object(
           'model', enriched->'enrichment'->'model',
           'degraded', enriched->'enrichment'->'degraded',
           'priority', enriched->'enrichment'->'priority',
           'disagreements', enriched->'enrichment'->'disagreements',
           'generatedAt', enriched->'enrichment'->'generatedAt'))) AS enriched
       FROM (
         SELECT DISTINCT ON (accession) accession, enriched, created_at FROM enrichments
         ORDER BY accession, created_at DESC
       ) latest ORDER BY created_at DESC LIMIT $2`,
      [this.idKey, limit],
    );
    return result.rows;
  }

  /** The latest enrichment of the exam with this opaque id. */
  async byId(id: string): Promise<WorklistEnrichment | undefined> {
    const result = await this.database.query<{ id: string; enriched: ReportEnrichedPayload }>(
      `SELECT ${opaqueIdSql} AS id, enriched FROM enrichments WHERE ${opaqueIdSql} = $2
       ORDER BY created_at DESC LIMIT 1`,
      [this.idKey, id],
    );
    return result.rows[0];
  }

  /** Reviewers' verdicts on these exams, in arrival order. */
  async verdicts(accessions: readonly string[]): Promise<WorklistVerdict[]> {
    if (accessions.length === 0) return [];
    const result = await this.database.query<{
      accession: string;
      feedback_id: string;
      sequence: string;
      verdict: WorklistVerdict['verdict'];
      reviewer_id: string;
    }>(
      `SELECT accession, feedback_id, sequence, verdict, reviewer_id FROM feedback
       WHERE source = 'explicit' AND accession = ANY($1) ORDER BY sequence`,
      [accessions],
    );
    return result.rows.map((r) => ({
      accession: r.accession,
      feedbackId: r.feedback_id,
      sequence: Number(r.sequence),
      verdict: r.verdict,
      reviewerId: r.reviewer_id,
    }));
  }
}
