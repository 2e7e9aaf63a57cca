-- Which radiologist's style a feedback row teaches: radiologistKey (libs/reports) of the report's signing radiologist
-- (OBR-32 / DiagnosticReport.resultsInterpreter), 16 hex digits of a hash, never the staff id itself. NULL when the
-- report named nobody, and for every row stored before this column existed: those train the shared model only.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS radiologist_key text
  CHECK (radiologist_key IS NULL OR radiologist_key ~ '^[0-9a-f]{16}$');
-- The per-radiologist policy counts, and a radiologist's run reads, one radiologist's rows after a watermark.
CREATE INDEX IF NOT EXISTS feedback_radiologist ON feedback (radiologist_key, sequence) WHERE radiologist_key IS NOT NULL;
