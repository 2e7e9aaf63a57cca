/* Generated from schemas/events/*.schema.json by scripts/generate-types.ts. Do not edit. */

/**
 * Every radflow event travels in this envelope. The payload schema is chosen by `type` and `schemaVersion`.
 */
export interface EventEnvelope {
  /**
   * Unique id of this event.
   */
  id: string;
  /**
   * Event type without version, e.g. rad.report.finalized.
   */
  type: string;
  schemaVersion: number;
  /**
   * Id of the inbound message this event derives from (MSH-10 or FHIR resource id/version).
   */
  sourceMessageId: string;
  /**
   * Correlates every event of one inbound message across services.
   */
  traceId: string;
  producedAt: string;
  /**
   * Service that produced the event.
   */
  producer?: string;
  payload: {};
}

export type LabelState = 'present' | 'absent' | 'uncertain';

/**
 * AI and rule outputs for one finalized report. Every model output is a preliminary, AI-generated draft for a radiologist.
 */
export interface ReportEnrichedPayload {
  report: RadiologyReport;
  enrichment: {
    /**
     * Always preliminary: drafts for a radiologist, never a final read.
     */
    status: 'preliminary';
    aiGenerated: true;
    model: Model;
    rulesVersion?: string;
    /**
     * True when the model was unavailable and only rule outputs are present.
     */
    degraded: boolean;
    degradedReason?: string;
    draftImpression?: string;
    abnormalities: Label[];
    devices: Label[];
    temporal?: {
      priorAccession?: string;
      priorReportedAt?: string;
      added: string[];
      removed: string[];
      changed: {
        finding: string;
        progression: 'improved' | 'worsened' | 'stable' | 'new' | 'resolved' | 'changed';
      }[];
      labelDiff?: {
        label: string;
        before: LabelState;
        after: LabelState;
      }[];
    };
    priority: {
      level: 'stat' | 'urgent' | 'routine';
      reasons: string[];
    };
    disagreements?: {
      label: string;
      model: LabelState;
      rules: LabelState;
    }[];
    generatedAt: string;
  };
}
/**
 * The model the outputs came from; the rule labeler's name and version when degraded.
 */
export interface Model {
  name: string;
  version: string;
}
export interface Label {
  label: string;
  state: LabelState;
  source: 'model' | 'rules';
  /**
   * The sentence that triggered a rule label (the report's own words, never logged).
   */
  evidence?: string;
}

/**
 * A finalized (or amended/corrected) chest X-ray report, read into the canonical model.
 */
export interface ReportFinalizedPayload {
  report: RadiologyReport;
}

/**
 * The canonical radiology report every inbound format is read into.
 */
export interface RadiologyReport {
  source: {
    kind: 'hl7v2' | 'fhir';
    /**
     * MSH-10 control id, or the FHIR resource's logical id.
     */
    messageId: string;
    hl7Version?: string;
    sendingApplication?: string;
    sendingFacility?: string;
    /**
     * Reference of the source DiagnosticReport on the EHR's FHIR server, e.g. DiagnosticReport/123.
     */
    fhirReference?: string;
  };
  /**
   * Filler order number (OBR-3) or DiagnosticReport id.
   */
  reportId: string;
  /**
   * Distinguishes amended/corrected versions of the same report (status + result time, or meta.versionId).
   */
  reportVersion: string;
  accession: string;
  patient: {
    /**
     * Salted hash of the patient identifier: the Kafka key and the only patient id ever logged.
     */
    key: string;
    identifier?: {
      system?: string;
      value: string;
    };
    /**
     * Patient reference on the EHR's FHIR server, e.g. Patient/123.
     */
    fhirReference?: string;
  };
  procedure: {
    code?: string;
    /**
     * LOINC, CPT or the sender's local coding system.
     */
    system?: string;
    text?: string;
  };
  status:
    | 'final'
    | 'amended'
    | 'corrected'
    | 'preliminary'
    | 'partial'
    | 'registered'
    | 'cancelled'
    | 'entered-in-error'
    | 'unknown';
  /**
   * When the exam was performed (ISO 8601).
   */
  observedAt?: string;
  /**
   * When the report was issued (ISO 8601).
   */
  reportedAt?: string;
  /**
   * Full report text as sent, escape sequences decoded.
   */
  text: string;
  sections: {
    indication?: string;
    comparison?: string;
    technique?: string;
    findings?: string;
    impression?: string;
    addendum?: string;
  };
  priorHints?: {
    comparisonText?: string;
    /**
     * Dates of prior studies named in COMPARISON (YYYY-MM-DD, or YYYY-MM / YYYY when that is all it says).
     */
    priorDates?: string[];
    /**
     * True when COMPARISON states there is no prior study ("None.", "No prior studies").
     */
    noPrior?: boolean;
  };
  /**
   * Every part of the input not carried into text or sections, with why: no silent loss.
   */
  unusedContent: {
    location: string;
    reason: string;
  }[];
}
