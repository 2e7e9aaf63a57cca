-- Radiologists' verdicts on radflow's drafts, one row per (feedback, output). Explicit rows come from reviewers
-- (rad.feedback.v1, POST /v1/feedback); implicit ones pair a draft with the signed report that followed it.
-- Holds report text (PHI): it is scrubbed before any training use and never logged.
CREATE TABLE IF NOT EXISTS feedback (
  sequence           bigserial   PRIMARY KEY,
  feedback_id        uuid        NOT NULL,
  output             text        NOT NULL CHECK (output IN ('impression', 'abnormalities', 'devices', 'temporal', 'priority')),
  accession          text        NOT NULL,
  report_version     text,
  source             text        NOT NULL CHECK (source IN ('explicit', 'implicit')),
  reviewer_id        text        NOT NULL,
  verdict            text        NOT NULL CHECK (verdict IN ('accept', 'edit', 'reject')),
  model_name         text,
  model_version      text,
  draft_text         text,
  corrected_text     text,
  draft_labels       jsonb,
  corrected_labels   jsonb,
  corrected_priority text        CHECK (corrected_priority IN ('stat', 'urgent', 'routine')),
  findings           text,
  report_text        text,
  submitted_at       timestamptz NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  -- The same feedback delivered twice (Kafka redelivery, client retry with the same id) is stored once.
  UNIQUE (feedback_id, output)
);
CREATE INDEX IF NOT EXISTS feedback_accession ON feedback (accession);
CREATE INDEX IF NOT EXISTS feedback_model ON feedback (model_name, model_version);
