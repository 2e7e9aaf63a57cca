import type { Database } from './database.ts';

/** One decision of the evaluation gate on a candidate, with the numbers behind it. */
export interface GateDecisionRecord {
  name: string;
  candidateVersion: string;
  currentVersion: string;
  outcome: 'promote' | 'reject';
  reasons: string[];
  comparisons: unknown[];
  policy: Record<string, unknown>;
  runId?: string | null;
}

export interface StoredGateDecision extends GateDecisionRecord {
  id: number;
  decidedAt: string;
}

interface DecisionRow {
  id: string;
  name: string;
  candidate_version: string;
  current_version: string;
  outcome: 'promote' | 'reject';
  reasons: string[];
  comparisons: unknown[];
  policy: Record<string, unknown>;
  run_id: string | null;
  decided_at: Date;
}

/** Every gate decision with its reasons, comparisons and policy (table gate_decisions, migration 011). */
export class GateDecisions {
  constructor(private readonly database: Database) {}

  /** Stores a decision; returns its id. */
  async record(decision: GateDecisionRecord): Promise<number> {
    const result = await this.database.query<{ id: string }>(
      `INSERT INTO gate_decisions (name, candidate_version, current_version, outcome, reasons, comparisons, policy, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        decision.name,
        decision.candidateVersion,
        decision.currentVersion,
        decision.outcome,
        JSON.stringify(decision.reasons),
        JSON.stringify(decision.comparisons),
        JSON.stringify(decision.policy),
        decision.runId ?? null,
      ],
    );
    return Number(result.rows[0]!.id);
  }

  /** A model's decisions, oldest first. */
  async list(name: string): Promise<StoredGateDecision[]> {
    const result = await this.database.query<DecisionRow>(
      'SELECT * FROM gate_decisions WHERE name = $1 ORDER BY id',
      [name],
    );
    return result.rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      candidateVersion: r.candidate_version,
      currentVersion: r.current_version,
      outcome: r.outcome,
      reasons: r.reasons,
      comparisons: r.comparisons,
      policy: r.policy,
      runId: r.run_id,
      decidedAt: r.decided_at.toISOString(),
    }));
  }
}
