-- Canary scoring (issue 18): each live draft served while a canary runs, by the canary or by the serving version,
-- scored against the impression the radiologist signed. Unlike shadow_scores a report was drafted by one model
-- only (its arm). report_key is a salted hash of the accession (never the accession): one report counts once.
CREATE TABLE IF NOT EXISTS canary_scores (
  name            text        NOT NULL,
  canary_version  text        NOT NULL,
  serving_version text        NOT NULL,
  report_key      text        NOT NULL,
  arm             text        NOT NULL CHECK (arm IN ('canary', 'serving')),
  scores          jsonb       NOT NULL,
  scored_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, canary_version, serving_version, report_key),
  FOREIGN KEY (name, canary_version) REFERENCES model_versions (name, version),
  FOREIGN KEY (name, serving_version) REFERENCES model_versions (name, version)
);
