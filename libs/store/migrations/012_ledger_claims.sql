-- The idempotency ledger becomes a claim table: a worker claims a (consumer, key) in one statement
-- (INSERT ... ON CONFLICT, see IdempotencyLedger.claim) before the work, and marks it done after its output is
-- committed. A claim whose worker stopped renewing it (crash) can be taken over once its lease has run out.
ALTER TABLE processed_events RENAME TO idempotency_ledger;
ALTER TABLE idempotency_ledger
  -- Rows written before this migration were all finished work.
  ADD COLUMN state      text        NOT NULL DEFAULT 'done' CHECK (state IN ('in_progress', 'done')),
  -- The ledger instance (one per service per process) holding or having finished the claim.
  ADD COLUMN claimed_by text,
  -- Renewed while the work runs; a claim older than the lease belongs to a worker that is gone.
  ADD COLUMN claimed_at timestamptz,
  -- How many times the key was claimed (first claim, retakes, takeovers): > 1 means work was repeated.
  ADD COLUMN attempts   integer     NOT NULL DEFAULT 1;
ALTER TABLE idempotency_ledger ALTER COLUMN state SET DEFAULT 'in_progress';
-- Set when the work is done.
ALTER TABLE idempotency_ledger ALTER COLUMN processed_at DROP NOT NULL, ALTER COLUMN processed_at DROP DEFAULT;

-- What the table meant before: finished work only (operators' queries and the tests read it).
CREATE VIEW processed_events AS
  SELECT consumer, idempotency_key, outcome, processed_at FROM idempotency_ledger WHERE state = 'done';
