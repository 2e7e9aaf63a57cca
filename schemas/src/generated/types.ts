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

/**
 * What a radiologist did with radflow's drafts for one report: per output accept, edit or reject, with the corrected text or labels. Explicit feedback comes from a reviewer (worklist UI, POST /v1/feedback); implicit feedback is the signed or amended report that arrived after a draft. Carries report text: consumers never log it.
 */
export interface FeedbackPayload {
  /**
   * Chosen by the sender: the same feedback sent twice is stored once.
   */
  feedbackId: string;
  accession: string;
  /**
   * The report version the drafts were made for.
   */
  reportVersion?: string;
  source: 'explicit' | 'implicit';
  /**
   * Who judged the drafts (a staff id; 'report-signature' for implicit feedback). Logged only as a hash.
   */
  reviewerId: string;
  /**
   * The model that made the drafts; filled from the stored enrichment when absent.
   */
  model?: {
    name: string;
    version: string;
  };
  submittedAt: string;
  /**
   * Report text the drafts were made from, for feedback on reports radflow has not stored (PHI: scrubbed before any training use).
   */
  report?: {
    findings?: string;
    impression?: string;
    text?: string;
  };
  /**
   * @minItems 1
   */
  outputs: [OutputFeedback, ...OutputFeedback[]];
}
export interface OutputFeedback {
  /**
   * Which draft the verdict is about: the draft impression, the abnormality labels, the tubes/lines/devices labels, the comparison with the prior, the worklist priority.
   */
  output: 'impression' | 'abnormalities' | 'devices' | 'temporal' | 'priority';
  /**
   * accept: the draft is right as it is; edit: right after the correction given; reject: wrong, with or without a correction.
   */
  verdict: 'accept' | 'edit' | 'reject';
  /**
   * The draft as shown to the reviewer (impression); filled from the stored enrichment when absent.
   */
  draftText?: string;
  /**
   * The reviewer's text (impression, temporal summary).
   */
  correctedText?: string;
  draftLabels?: LabelCorrection[];
  /**
   * The full label set as the reviewer says it should be; a label not listed is absent.
   */
  correctedLabels?: LabelCorrection[];
  correctedPriority?: 'stat' | 'urgent' | 'routine';
  comment?: string;
}
export interface LabelCorrection {
  /**
   * A label id of the output's vocabulary (schemas/vocabularies).
   */
  label: string;
  state: 'present' | 'absent' | 'uncertain';
}

/**
 * The model lifecycle: retraining runs and their progress, evaluation-gate decisions, promotions and rollbacks. `model.promoted` means 'serve this model directory now' (after a gate promotion or a rollback): the inference service reloads on it. Carries ids, versions and numbers only, never report text.
 */
export interface ModelEventPayload {
  /**
   * training.*: a retraining run; model.evaluated: the gate's numbers; model.shadow_started: the candidate passed the fixed-set gate and now drafts beside the serving model on live reports (never served, never written back) until shadow evaluation promotes or rejects it; model.promoted: serve `modelDir` now (promotion or rollback); model.rejected: the gate or shadow evaluation kept the current model (a shadow decision's comparisons are on the evaluation set `shadow`); model.canary_started: `version` (in `modelDir`) now serves `canary.share` of the model's reports, chosen by accession hash, beside the serving `previousVersion` (for a radiologist's first model, `<shared>~r-<key>` with nothing of theirs deployed, the shared model's serving version, which drafts the rest of their reports); model.canary_ended: the canary stopped serving, with the decision: outcome `reject` is a rollback (by an operator, or automatic when its live scores fell below the serving model's: comparisons on the evaluation set `canary`), `promote` is followed by model.promoted.
   */
  kind:
    | 'training.started'
    | 'training.progress'
    | 'training.completed'
    | 'training.failed'
    | 'model.evaluated'
    | 'model.promoted'
    | 'model.rejected'
    | 'model.shadow_started'
    | 'model.canary_started'
    | 'model.canary_ended';
  /**
   * Model name (radflow-model.json `name`).
   */
  name: string;
  /**
   * The version this event is about: the candidate during training and evaluation, the served one when promoted.
   */
  version: string;
  /**
   * Directory of the model in the artifact store (radflow-model.json, ONNX, tokenizer).
   */
  modelDir?: string;
  /**
   * The retraining run.
   */
  runId?: string;
  /**
   * Why a model.promoted happened.
   */
  action?: 'promotion' | 'rollback' | 'bootstrap';
  /**
   * The version served before (model.promoted) or compared against (model.evaluated, model.rejected, model.canary_*). For a radiologist's model with nothing of theirs served yet: the shared model's version.
   */
  previousVersion?: string;
  /**
   * The model a candidate was fine-tuned from.
   */
  baseVersion?: string;
  /**
   * sha256 of the training set a candidate was made from.
   */
  dataSnapshot?: string;
  /**
   * model.canary_started and model.canary_ended: the canary's share of reports and who started it (an operator, or `shadow` when a passed shadow period started it).
   */
  canary?: {
    share: number;
    startedBy: string;
    /**
     * model.canary_ended: who ended it (an operator, or `canary` for the automatic rollback).
     */
    decidedBy?: string;
  };
  progress?: {
    stage: 'dataset' | 'training' | 'export' | 'evaluation' | 'registry';
    fraction: number;
    step?: number;
    totalSteps?: number;
    loss?: number;
    examples?: number;
  };
  decision?: {
    outcome: 'promote' | 'reject';
    reasons: string[];
    comparisons: MetricComparison[];
  };
  error?: {
    code: string;
    reason: string;
  };
  occurredAt: string;
}
/**
 * One gated metric on one evaluation set: both models' scores and the paired-bootstrap interval of candidate minus current.
 */
export interface MetricComparison {
  /**
   * fixed (the held-back evaluation reports), feedback (held-out recent feedback) or shadow (live finalized reports drafted by both models during shadow evaluation).
   */
  evaluationSet: string;
  /**
   * rougeL, bleu1, f1 (LLaVA-Med unigram F1) or labelMicroF1.
   */
  metric: string;
  examples: number;
  candidate: Interval;
  current: Interval;
  difference: Interval;
  /**
   * Whether the comparison counted: the metric is gated and the set has enough examples.
   */
  gated: boolean;
  /**
   * True when the whole interval of the difference lies below minus the tolerance.
   */
  worse: boolean;
}
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
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
    /**
     * What the rule labeler changed in the model's draft impression against the report's findings (ENRICHMENT_DRAFT_CHECK): a stat finding of the findings the draft left out, carried in the findings' own sentence, or an abnormality nothing in the findings supports, taken out. Fixed phrases and label ids only. Absent: the draft is the model's as written.
     */
    draftImpressionEdits?: {
      kind: 'critical-finding-added' | 'unsupported-finding-removed';
      /**
       * critical-finding-added: the worklist rule's reason (a fixed phrase).
       */
      reason?: string;
      /**
       * unsupported-finding-removed: the abnormality label taken out.
       */
      label?: string;
    }[];
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
  /**
   * Why this model drafted the report: the signing radiologist's own model (name <shared>~r-<key>), the canary's share of accessions (by hash), or the serving version. Absent when degraded (rules only) or when the registry named no version.
   */
  route?: 'radiologist' | 'canary' | 'serving';
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
 * The worklist priority of one finalized report from the rule labeler alone, published as soon as the report is read and before (and independently of) the model's drafts, so that a STAT finding never waits behind the model's queue. Carries the report (for the FHIR worklist Task's references): consumers never log its text.
 */
export interface ReportTriagedPayload {
  report: RadiologyReport;
  triage: {
    priority: {
      level: 'stat' | 'urgent' | 'routine';
      /**
       * Which rule fired, in the worklist's words (label names, never report sentences).
       */
      reasons: string[];
    };
    abnormalities: RuleLabel[];
    devices: RuleLabel[];
    /**
     * The rule labeler that decided the priority (no model is involved).
     */
    labeler: {
      name: string;
      version: string;
    };
    triagedAt: string;
  };
}
export interface RuleLabel {
  label: string;
  state: 'present' | 'absent' | 'uncertain';
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
    /**
     * The patient's name as the source sent it (HL7 PID-5, the legal name when there are several), read only where the outbound ORU^R01 needs it for PID-5. PHI: never logged.
     */
    name?: {
      /**
       * XPN-1 (surname).
       */
      family?: string;
      /**
       * XPN-2 given name, then XPN-3 further given names.
       */
      given?: string[];
      /**
       * XPN-4.
       */
      suffix?: string;
      /**
       * XPN-5.
       */
      prefix?: string;
    };
  };
  procedure: {
    code?: string;
    /**
     * LOINC, CPT or the sender's local coding system.
     */
    system?: string;
    text?: string;
  };
  /**
   * The radiologist who signed the report (HL7 OBR-32 principal result interpreter, FHIR DiagnosticReport.resultsInterpreter): an identifier, never a name. Feedback is attributed to them by radiologistKey (a hash); the id itself is never logged. Absent when the source names nobody by id.
   */
  resultInterpreter?: {
    /**
     * Staff identifier: OBR-32.1.1 (CNN-1), or the FHIR Practitioner's identifier value or logical id.
     */
    id: string;
    /**
     * The id's assigning authority (OBR-32.1.9 or .10) or identifier system; fhir-reference:Practitioner for a FHIR logical id.
     */
    system?: string;
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

/** The payload type of each event, keyed by `<type>.v<schemaVersion>` (its schema file and its topic). */
export interface EventPayloads {
  'rad.feedback.v1': FeedbackPayload;
  'rad.model.events.v1': ModelEventPayload;
  'rad.report.enriched.v1': ReportEnrichedPayload;
  'rad.report.finalized.v1': ReportFinalizedPayload;
  'rad.report.triaged.v1': ReportTriagedPayload;
}
