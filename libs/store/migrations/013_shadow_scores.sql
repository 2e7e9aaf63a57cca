-- Shadow evaluation (issue 18): a candidate that passed the fixed-set gate drafts beside the serving model on live
-- finalized reports before it may serve. While it does, its version (and its run) is 'shadow'.
ALTER TABLE model_versions DROP CONSTRAINT model_versions_status_check,
  ADD CONSTRAINT model_versions_status_check
    CHECK (status IN ('registered', 'candidate', 'shadow', 'promoted', 'rejected'));
ALTER TABLE training_runs DROP CONSTRAINT training_runs_status_check,
  ADD CONSTRAINT training_runs_status_check CHECK (status IN ('running', 'shadow', 'promoted', 'rejected', 'failed'));

-- One finalized report drafted by both models: each draft's scores against the impression the radiologist signed.
-- report_key is a salted hash of the accession (never the accession): one report counts once per pair of models.
CREATE TABLE IF NOT EXISTS shadow_scores (
  name              text        NOT NULL,
  candidate_version text        NOT NULL,
  serving_version   text        NOT NULL,
  report_key        text        NOT NULL,
  candidate_scores  jsonb       NOT NULL,
  serving_scores    jsonb       NOT NULL,
  scored_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, candidate_version, serving_version, report_key),
  FOREIGN KEY (name, candidate_version) REFERENCES model_versions (name, version),
  FOREIGN KEY (name, serving_version) REFERENCES model_versions (name, version)
);
