import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { Problem, ProblemCode } from '@radflow/schemas';
import { HttpProblem } from './http-problem.ts';

/** What the filter answers for one error: the problem body and the headers that go with it. */
export interface ProblemAnswer {
  problem: Problem;
  retryAfterSeconds?: number;
}

const PROBLEM_TYPES = 'https://radflow.dev/problems/';

/**
 * Errors Nest and Express raise themselves (no route, a body that is not JSON, one over the limit): a fixed detail
 * per status, because their messages can quote the path or the start of the body.
 */
const FRAMEWORK_ERRORS: Record<number, { code: ProblemCode; detail: string }> = {
  400: {
    code: 'INVALID_REQUEST',
    detail: 'the request could not be read (a JSON body that is not valid JSON?)',
  },
  404: { code: 'NOT_FOUND', detail: 'nothing is served at this path' },
  405: { code: 'METHOD_NOT_ALLOWED', detail: 'this path does not take this method' },
  413: { code: 'PAYLOAD_TOO_LARGE', detail: 'the request body is over HTTP_MAX_BODY_BYTES' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'this path does not take this content type' },
};

/** The title of a problem type: the reason phrase of its status. */
export function problemTitle(status: number): string {
  return STATUS_CODES[status] ?? (status === 499 ? 'Client Closed Request' : 'Error');
}

/**
 * The one mapping from an error an HTTP request ended in to its problem: an HttpProblem as its thrower described
 * it, any other HttpException by its status alone, anything else a 500 INTERNAL that says nothing of the error.
 */
export function problemOf(error: unknown, traceId: string | undefined): ProblemAnswer {
  if (error instanceof HttpProblem) {
    const { status, code, detail, errors, retryAfterSeconds, extensions } = error.problem;
    return {
      problem: {
        ...problemHead(status, code, detail, error.problem.traceId ?? traceId),
        ...(errors ? { errors } : {}),
        ...extensions,
      },
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const known = FRAMEWORK_ERRORS[status];
    if (known) return { problem: problemHead(status, known.code, known.detail, traceId) };
    if (status < 500)
      return { problem: problemHead(status, 'INVALID_REQUEST', problemTitle(status).toLowerCase(), traceId) };
  }
  return { problem: problemHead(500, 'INTERNAL', 'internal error', traceId) };
}

function problemHead(
  status: number,
  code: ProblemCode,
  detail: string,
  traceId: string | undefined,
): Problem {
  return {
    type: `${PROBLEM_TYPES}${code}`,
    title: problemTitle(status),
    status,
    detail,
    code,
    ...(traceId ? { traceId } : {}),
  };
}
