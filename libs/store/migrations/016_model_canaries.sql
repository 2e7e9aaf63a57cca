-- Canary (issue 18): a version that passed its gate and shadow period may serve a share of a model's reports,
-- chosen by a hash of the accession so one report always gets the same version. At most one canary per model name;
-- ending it (promotion or rollback) deletes the row and leaves the decision in gate_decisions/model_deployments.
CREATE TABLE IF NOT EXISTS model_canaries (
  name        text             PRIMARY KEY,
  version     text             NOT NULL,
  share       double precision NOT NULL CHECK (share > 0 AND share < 1),
  started_by  text             NOT NULL,
  reason      text             NOT NULL DEFAULT '',
  started_at  timestamptz      NOT NULL DEFAULT now(),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);
