-- Idempotency ledger: a (consumer, key) pair is recorded once its work is durable, so a redelivered
-- Kafka record is recognised and skipped.
CREATE TABLE IF NOT EXISTS processed_events (
  consumer        text        NOT NULL,
  idempotency_key text        NOT NULL,
  outcome         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  processed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, idempotency_key)
);

-- Finalized reports seen by radflow: the local source of prior reports for the temporal diff.
CREATE TABLE IF NOT EXISTS radiology_reports (
  accession      text        NOT NULL,
  report_version text        NOT NULL,
  patient_key    text        NOT NULL,
  reported_at    timestamptz,
  report         jsonb       NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (accession, report_version)
);
CREATE INDEX IF NOT EXISTS radiology_reports_patient_time ON radiology_reports (patient_key, reported_at DESC);

-- Enrichments produced, one per (accession, report version, model version): what a radiologist later
-- accepts, edits or rejects.
CREATE TABLE IF NOT EXISTS enrichments (
  accession      text        NOT NULL,
  report_version text        NOT NULL,
  model_version  text        NOT NULL,
  patient_key    text        NOT NULL,
  enriched       jsonb       NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (accession, report_version, model_version)
);
