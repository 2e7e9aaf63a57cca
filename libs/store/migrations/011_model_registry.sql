-- The model registry: every version radflow made or served, with its lineage (base model, data snapshot,
-- training run, metrics), the gate's decisions, and the serving history that rollback walks back.
CREATE TABLE IF NOT EXISTS model_versions (
  name           text        NOT NULL,
  version        text        NOT NULL,
  model_dir      text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('registered', 'candidate', 'promoted', 'rejected')),
  base_name      text,
  base_version   text,
  data_snapshot  text,
  training       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  metrics        jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

-- Serving history, append-only: the current model is the top of the stack that bootstrap/promotion rows push
-- and rollback rows pop (or, with an explicit target, push).
CREATE TABLE IF NOT EXISTS model_deployments (
  id               bigserial   PRIMARY KEY,
  name             text        NOT NULL,
  version          text        NOT NULL,
  action           text        NOT NULL CHECK (action IN ('bootstrap', 'promotion', 'rollback')),
  previous_version text,
  reason           text        NOT NULL DEFAULT '',
  deployed_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);
CREATE INDEX IF NOT EXISTS model_deployments_name ON model_deployments (name, id DESC);

-- Every gate decision with the numbers behind it.
CREATE TABLE IF NOT EXISTS gate_decisions (
  id                bigserial   PRIMARY KEY,
  name              text        NOT NULL,
  candidate_version text        NOT NULL,
  current_version   text        NOT NULL,
  outcome           text        NOT NULL CHECK (outcome IN ('promote', 'reject')),
  reasons           jsonb       NOT NULL,
  comparisons       jsonb       NOT NULL,
  policy            jsonb       NOT NULL,
  run_id            uuid,
  decided_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS gate_decisions_name ON gate_decisions (name, id DESC);

-- Retraining runs: what started them, on which data, and how they ended. feedback_watermark is the last
-- feedback sequence included, so the policy counts only feedback that arrived after it.
CREATE TABLE IF NOT EXISTS training_runs (
  run_id             uuid        PRIMARY KEY,
  name               text        NOT NULL,
  trigger            text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('running', 'promoted', 'rejected', 'failed')),
  base_version       text        NOT NULL,
  candidate_version  text,
  data_snapshot      text,
  feedback_watermark bigint      NOT NULL DEFAULT 0,
  examples           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error              jsonb,
  started_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz
);
CREATE INDEX IF NOT EXISTS training_runs_name ON training_runs (name, started_at DESC);
