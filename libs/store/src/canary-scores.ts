import type { Database } from './database.ts';
import type { DraftScores } from './shadow-scores.ts';

/** Which model drafted a live report while a canary ran. */
export type CanaryArm = 'canary' | 'serving';

export interface CanaryScoreRecord {
  name: string;
  canaryVersion: string;
  servingVersion: string;
  /** A salted hash of the accession (libs/feedback accessionKey), never the accession itself. */
  reportKey: string;
  arm: CanaryArm;
  scores: DraftScores;
}

export interface StoredCanaryScore extends CanaryScoreRecord {
  scoredAt: string;
}

interface ScoreRow {
  name: string;
  canary_version: string;
  serving_version: string;
  report_key: string;
  arm: CanaryArm;
  scores: DraftScores;
  scored_at: Date;
}

/**
 * The live scores of a canary and of the serving model beside it (table canary_scores, migration 019): one row per
 * report, so a redelivered enriched event counts once.
 */
export class CanaryScores {
  constructor(private readonly database: Database) {}

  /** Stores one report's scores; false when this report was already scored for this canary. */
  async record(score: CanaryScoreRecord): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO canary_scores (name, canary_version, serving_version, report_key, arm, scores)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name, canary_version, serving_version, report_key) DO NOTHING`,
      [
        score.name,
        score.canaryVersion,
        score.servingVersion,
        score.reportKey,
        score.arm,
        JSON.stringify(score.scores),
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Every report scored for this canary beside this serving version since `since` (its start), oldest first. */
  async list(
    name: string,
    canaryVersion: string,
    servingVersion: string,
    since: Date,
  ): Promise<StoredCanaryScore[]> {
    const result = await this.database.query<ScoreRow>(
      `SELECT * FROM canary_scores
       WHERE name = $1 AND canary_version = $2 AND serving_version = $3 AND scored_at >= $4
       ORDER BY scored_at, report_key`,
      [name, canaryVersion, servingVersion, since],
    );
    return result.rows.map((r) => ({
      name: r.name,
      canaryVersion: r.canary_version,
      servingVersion: r.serving_version,
      reportKey: r.report_key,
      arm: r.arm,
      scores: r.scores,
      scoredAt: r.scored_at.toISOString(),
    }));
  }
}
