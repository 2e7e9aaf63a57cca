/* Generated from schemas/api/*.schema.json by scripts/generate-types.ts. Do not edit. */

import type { MetricComparison, OutputFeedback } from './types.ts';

/**
 * Body of POST /v1/feedback: a reviewer's verdict on radflow's drafts for one report. Accepted bodies become rad.feedback.v1 events (source explicit).
 */
export interface FeedbackRequest {
  /**
   * Idempotency key chosen by the client; generated when absent (then a retry is a new submission).
   */
  feedbackId?: string;
  accession: string;
  reportVersion?: string;
  reviewerId: string;
  model?: {
    name: string;
    version: string;
  };
  submittedAt?: string;
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

/**
 * 202 Accepted from POST /v1/feedback: the feedback is durably on rad.feedback.v1 (acks=all) and will be stored once.
 */
export interface FeedbackResponse {
  feedbackId: string;
  eventId: string;
  status: 'accepted';
}

/**
 * Body of POST /v1/enrich: one report. Runs impression, abnormality and device labels, and with a prior report the temporal findings and progression, batched together.
 */
export interface InferenceEnrichRequest {
  /**
   * The FINDINGS section.
   */
  findings: string;
  /**
   * The full radiology report text.
   */
  report: string;
  /**
   * The patient's prior report, for the temporal tasks.
   */
  priorReport?: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}

/**
 * The enrichment set for one report. Every part is a preliminary, AI-generated draft.
 */
export interface InferenceEnrichResponse {
  model: ModelIdentity;
  status: 'preliminary';
  aiGenerated: true;
  /**
   * Null when the impression output could not be parsed.
   */
  draftImpression: string | null;
  /**
   * Abnormality label ids (schemas/vocabularies/abnormality-labels.v1.json) the model tagged.
   */
  abnormalities: string[];
  /**
   * Device label ids (schemas/vocabularies/device-labels.v1.json) the model tagged.
   */
  devices: string[];
  /**
   * Null without a prior report; sides whose output could not be parsed are empty (see tasks).
   */
  temporal: null | {
    added: string[];
    removed: string[];
    changed: {
      finding: string;
      progression: 'improved' | 'worsened' | 'stable' | 'new' | 'resolved';
    }[];
  };
  /**
   * Each task's full answer, keyed by task.
   */
  tasks: {
    [k: string]: InferenceTaskResponse;
  };
}

/**
 * Body of POST /admin/reload: the model directory to serve next (must lie under an allowed model root).
 */
export interface InferenceReloadRequest {
  modelDir: string;
}

/**
 * Body of POST /v1/tasks/{task}: the inputs of that Rad-Phi2 task (one definition per task under $defs).
 */
export type InferenceTaskRequest =
  | ExtractFindingsRequest
  | ExtractImpressionRequest
  | CleanupRequest
  | ImpressionRequest
  | AbnormalityLabelsRequest
  | DeviceLabelsRequest
  | QaComprehensionRequest
  | TemporalFindingsRequest
  | TemporalProgressionRequest;

export interface ExtractFindingsRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
/**
 * Which registered model version answers (a canary, or a radiologist's own model `<shared>~r-<key>`): loaded from the model registry on first use. Absent: the serving model. A version the registry does not hold is a 404 MODEL_NOT_FOUND, never a silent answer from another model.
 */
export interface ModelSelector {
  name: string;
  version: string;
}
export interface ExtractImpressionRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface CleanupRequest {
  /**
   * Report text to clean up.
   */
  text: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface ImpressionRequest {
  /**
   * The FINDINGS section.
   */
  findings: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface AbnormalityLabelsRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface DeviceLabelsRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface QaComprehensionRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  /**
   * A question about the report.
   */
  question: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface TemporalFindingsRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  /**
   * The patient's prior report, for the temporal tasks.
   */
  priorReport: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}
export interface TemporalProgressionRequest {
  /**
   * The full radiology report text.
   */
  report: string;
  /**
   * The patient's prior report, for the temporal tasks.
   */
  priorReport: string;
  model?: ModelSelector;
  /**
   * Time budget in milliseconds from receipt; overrides the X-Deadline-Ms header.
   */
  deadlineMs?: number;
  /**
   * Answer budget in tokens (label tasks default to their grammar's bound).
   */
  maxNewTokens?: number;
}

/**
 * The parsed answer; null when the output does not fit the task's format (see parseError).
 */
export type TaskResult =
  | null
  | {
      format: 'text';
      text: string;
    }
  | {
      format: 'labels';
      labels: string[];
      vocabulary: {
        name: string;
        version: string;
      };
    }
  | {
      format: 'added_removed';
      added: string[];
      removed: string[];
    }
  | {
      format: 'progression';
      progression: {
        finding: string;
        progression: 'improved' | 'worsened' | 'stable' | 'new' | 'resolved';
      }[];
    };

/**
 * One task's answer: a preliminary, AI-generated draft, with the model that wrote it.
 */
export interface InferenceTaskResponse {
  task:
    | 'extract_findings'
    | 'extract_impression'
    | 'cleanup'
    | 'impression'
    | 'abnormality_labels'
    | 'device_labels'
    | 'qa_comprehension'
    | 'temporal_findings'
    | 'temporal_progression';
  model: ModelIdentity;
  status: 'preliminary';
  aiGenerated: true;
  /**
   * The model's answer as decoded, before parsing.
   */
  text: string;
  result: TaskResult;
  parseError: null | {
    name: string;
    reason: string;
  };
  usage: {
    promptTokens: number;
    generatedTokens: number;
  };
  stopReason: 'end_of_text' | 'max_new_tokens';
  timings: {
    queuedMs: number;
    firstTokenMs: number;
    totalMs: number;
  };
}
export interface ModelIdentity {
  name: string;
  version: string;
}

/**
 * What an operator acts on. 400: INVALID_REQUEST, INVALID_FEEDBACK, UNKNOWN_LABEL, IDEMPOTENCY_KEY_REQUIRED, EMPTY_EDIT, REASON_TOO_LONG, UNKNOWN_ACTION. 401: SIGN_IN_REQUIRED (worklist) or a missing or refused bearer token (MISSING_TOKEN ... INVALID_CLAIMS). 403: INSUFFICIENT_SCOPE, MODEL_DIR_NOT_ALLOWED, CROSS_ORIGIN. 404: NOT_FOUND, MODEL_NOT_FOUND (inference: a model version the registry does not hold). 409: NO_DRAFT. 413: PAYLOAD_TOO_LARGE (a body over HTTP_MAX_BODY_BYTES) or INPUT_TOO_LONG (a prompt over the context window). 422: MODEL_LOAD_FAILED. 429: OVERLOADED. 499: REQUEST_CANCELLED. 500: GENERATION_FAILED, INTERNAL. 503: MODEL_UNAVAILABLE, BUS_UNAVAILABLE, KEYS_UNAVAILABLE (the issuer JWKS could not be fetched). 504: DEADLINE_EXCEEDED.
 */
export type ProblemCode =
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL'
  | 'INPUT_TOO_LONG'
  | 'OVERLOADED'
  | 'DEADLINE_EXCEEDED'
  | 'REQUEST_CANCELLED'
  | 'MODEL_UNAVAILABLE'
  | 'MODEL_LOAD_FAILED'
  | 'GENERATION_FAILED'
  | 'MODEL_DIR_NOT_ALLOWED'
  | 'MODEL_NOT_FOUND'
  | 'INVALID_FEEDBACK'
  | 'UNKNOWN_LABEL'
  | 'BUS_UNAVAILABLE'
  | 'SIGN_IN_REQUIRED'
  | 'CROSS_ORIGIN'
  | 'IDEMPOTENCY_KEY_REQUIRED'
  | 'EMPTY_EDIT'
  | 'NO_DRAFT'
  | 'REASON_TOO_LONG'
  | 'UNKNOWN_ACTION'
  | 'MISSING_TOKEN'
  | 'MALFORMED_TOKEN'
  | 'UNKNOWN_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'UNKNOWN_KEY'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'INVALID_CLAIMS'
  | 'INSUFFICIENT_SCOPE'
  | 'KEYS_UNAVAILABLE';

/**
 * Error body (application/problem+json, RFC 9457) of every radflow HTTP API but the gateway's FHIR endpoints, which answer a FHIR OperationOutcome. Never carries report text or identifiers.
 */
export interface Problem {
  /**
   * https://radflow.dev/problems/<code>: one problem type per code.
   */
  type: string;
  /**
   * The reason phrase of the status (Bad Request, Too Many Requests, ...).
   */
  title: string;
  status: number;
  /**
   * What went wrong with this request, for an operator; never report text or identifiers.
   */
  detail: string;
  code: ProblemCode;
  /**
   * The request's trace (radflow-trace-id, else its W3C trace id), where it has one.
   */
  traceId?: string;
  /**
   * Every part of the request that is wrong (INVALID_REQUEST, INVALID_FEEDBACK, UNKNOWN_LABEL); values are never echoed.
   */
  errors?: RequestIssue[];
  /**
   * OVERLOADED: about how long until the queue has room (also the Retry-After header, in seconds).
   */
  retryAfterMs?: number;
  /**
   * DEADLINE_EXCEEDED, REQUEST_CANCELLED: where the request was when it ended.
   */
  stage?: 'queued' | 'generating';
  model?: ModelIdentity;
}
export interface RequestIssue {
  /**
   * A JSON pointer into the body (/outputs/0/verdict), or header:<name> / path:<parameter>.
   */
  pointer: string;
  detail: string;
}

/**
 * 200 from GET /v1/retraining/status: the serving model, whether a run is going on and whether the policy would start one, the last run of this process, and the live evaluations under way: the candidate in shadow and the canary, each with its running comparison (95% bootstrap intervals) and the verdict it would get now. Numbers and versions only, never report text.
 */
export interface RetrainingStatus {
  model: {
    name: string;
    /**
     * The serving version; absent when nothing was deployed yet.
     */
    version?: string;
    modelDir?: string;
  };
  /**
   * A retraining run is going on in this process.
   */
  running: boolean;
  /**
   * Whether the retraining policy would start a run now, and why.
   */
  policy: {
    run: boolean;
    reason: string;
  };
  /**
   * The last run this process made, or null.
   */
  lastRun: null | {
    runId: string;
    status: string;
    candidateVersion?: string;
    seconds?: {};
  };
  /**
   * The candidate(s) in shadow evaluation now.
   */
  shadows: ShadowComparison[];
  /**
   * The canary running now, if any.
   */
  canaries: CanaryComparison[];
}
/**
 * A candidate drafting beside the serving model on live reports (paired: both draft every report).
 */
export interface ShadowComparison {
  name: string;
  candidateVersion: string;
  servingVersion: string;
  startedAt: string;
  reports: number;
  hours: number;
  policy: LivePolicy;
  live: LiveComparison;
}
export interface LivePolicy {
  minReports: number;
  periodHours: number;
  tolerance: number;
  level: number;
}
export interface LiveComparison {
  /**
   * What it would be now: continue (the period is not over), pass (not worse), stop (worse: rejected or rolled back).
   */
  verdict: 'continue' | 'pass' | 'stop';
  reasons: string[];
  comparisons: MetricComparison[];
}
/**
 * A version serving `share` of the reports by accession hash; its live drafts and the serving model's (different reports: unpaired) scored against what radiologists signed.
 */
export interface CanaryComparison {
  name: string;
  version: string;
  servingVersion: string;
  share: number;
  startedBy: string;
  startedAt: string;
  reports: {
    canary: number;
    serving: number;
  };
  hours: number;
  /**
   * RETRAIN_CANARY_AUTO_PROMOTE: a pass promotes it; otherwise an operator does (`radflow model promote`).
   */
  autoPromote: boolean;
  policy: LivePolicy;
  live: LiveComparison;
}
