import type { ImpressionScores } from '@radflow/feedback';
import type { Database } from './database.ts';

/** Per-metric scores of one draft against the signed impression (rougeL, bleu1, f1), each in [0, 1]. */
export type DraftScores = ImpressionScores;

/** One finalized report drafted by a candidate in shadow and by the serving model. */
export interface ShadowScoreRecord {
  name: string;
  candidateVersion: string;
  servingVersion: string;
  /** A salted hash of the accession (libs/feedback accessionKey), never the accession itself. */
  reportKey: string;
  candidate: DraftScores;
  serving: DraftScores;
}

export interface StoredShadowScore extends ShadowScoreRecord {
  scoredAt: string;
}

interface ScoreRow {
  name: string;
  candidate_version: string;
  serving_version: string;
  report_key: string;
  candidate_scores: DraftScores;
  serving_scores: DraftScores;
  scored_at: Date;
}

/**
 * The scores of shadow evaluation (table shadow_scores, migration 013): one row per report and pair of models,
 * so a redelivered report is counted once.
 */
export class ShadowScores {
  constructor(private readonly database: Database) {}

  /** Stores one report's scores; false when this report was already scored for this pair of models. */
  async record(score: ShadowScoreRecord): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO shadow_scores (name, candidate_version, serving_version, report_key, candidate_scores, serving_scores)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name, candidate_version, serving_version, report_key) DO NOTHING`,
      [
        score.name,
        score.candidateVersion,
        score.servingVersion,
        score.reportKey,
        JSON.stringify(score.candidate),
        JSON.stringify(score.serving),
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Every report scored for this candidate against this serving version, oldest first. */
  async list(name: string, candidateVersion: string, servingVersion: string): Promise<StoredShadowScore[]> {
    const result = await this.database.query<ScoreRow>(
      `SELECT * FROM shadow_scores WHERE name = $1 AND candidate_version = $2 AND serving_version = $3
       ORDER BY scored_at, report_key`,
      [name, candidateVersion, servingVersion],
    );
    return result.rows.map((r) => ({
      name: r.name,
      candidateVersion: r.candidate_version,
      servingVersion: r.serving_version,
      reportKey: r.report_key,
      candidate: r.candidate_scores,
      serving: r.serving_scores,
      scoredAt: r.scored_at.toISOString(),
    }));
  }
}
