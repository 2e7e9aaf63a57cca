import { randomUUID } from 'node:crypto';
import { taskCatalog } from '@radflow/prompts';
import { HttpProblem } from '@radflow/platform';
import {
  apiSchemaId,
  createSchemaAjv,
  type FeedbackPayload,
  type FeedbackRequest,
  type RequestIssue,
  type ValidateFunction,
} from '@radflow/schemas';

/** A body the API refuses (400): JSON pointers and what is wrong there, never the submitted values. */
export class InvalidFeedbackError extends HttpProblem {
  constructor(code: 'INVALID_FEEDBACK' | 'UNKNOWN_LABEL', detail: string, errors: RequestIssue[]) {
    super({ status: 400, code, detail, errors });
    this.name = 'InvalidFeedbackError';
  }
}

let validateRequest: ValidateFunction | undefined;

function requestValidator(): ValidateFunction {
  if (!validateRequest) {
    validateRequest = createSchemaAjv().getSchema(apiSchemaId('feedback-request.v1'))!;
  }
  return validateRequest;
}

const vocabularies = {
  abnormalities: new Set(taskCatalog.tasks.abnormality_labels.vocabulary!.ids),
  devices: new Set(taskCatalog.tasks.device_labels.vocabulary!.ids),
};

/**
 * Checks a request body against its JSON Schema and the label vocabularies, and completes it into a
 * rad.feedback.v1 payload (source explicit, an id when the client gave none, the time it arrived).
 */
export function feedbackPayloadFrom(body: unknown, now: Date = new Date()): FeedbackPayload {
  const validate = requestValidator();
  if (!validate(body)) {
    // anyOf / if-then wrappers repeat what their branches already say.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
    const issues = errors.map((e) => ({ pointer: e.instancePath || '/', detail: e.message ?? 'invalid' }));
    throw new InvalidFeedbackError(
      'INVALID_FEEDBACK',
      'feedback body does not match feedback-request.v1',
      issues.filter((issue, i) => issues.findIndex((other) => sameIssue(other, issue)) === i),
    );
  }
  const request = body as FeedbackRequest;
  const unknown: RequestIssue[] = [];
  request.outputs.forEach((output, i) => {
    const vocabulary =
      output.output === 'abnormalities' || output.output === 'devices'
        ? vocabularies[output.output]
        : undefined;
    if (!vocabulary) return;
    for (const field of ['draftLabels', 'correctedLabels'] as const) {
      output[field]?.forEach((label, j) => {
        if (!vocabulary.has(label.label))
          unknown.push({
            pointer: `/outputs/${i}/${field}/${j}/label`,
            detail: `is not in the ${output.output} vocabulary`,
          });
      });
    }
  });
  if (unknown.length > 0)
    throw new InvalidFeedbackError('UNKNOWN_LABEL', 'feedback names labels outside the vocabulary', unknown);
  return {
    ...request,
    feedbackId: request.feedbackId ?? randomUUID(),
    source: 'explicit',
    submittedAt: request.submittedAt ?? now.toISOString(),
  } as FeedbackPayload;
}

function sameIssue(a: RequestIssue, b: RequestIssue): boolean {
  return a.pointer === b.pointer && a.detail === b.detail;
}
