import { HttpException } from '@nestjs/common';
import type { Problem, ProblemCode, RequestIssue } from '@radflow/schemas';

/** The members an API adds to a problem beyond type/title/status/detail/code (schemas/api/problem.v1). */
export type ProblemExtensions = Pick<Problem, 'retryAfterMs' | 'stage' | 'model'>;

export interface HttpProblemInit {
  status: number;
  /** What an operator acts on; one problem type per code. */
  code: ProblemCode;
  /** For an operator: what went wrong with this request. Never report text or identifiers. */
  detail: string;
  /** Every part of the request that is wrong, by JSON pointer (or header:<name>, path:<parameter>). */
  errors?: RequestIssue[];
  /** Sent as the Retry-After header (429, 503). */
  retryAfterSeconds?: number;
  /** The trace of this request, where the handler knows it better than the request's headers. */
  traceId?: string;
  extensions?: ProblemExtensions;
  cause?: unknown;
}

/**
 * An HTTP error a handler, guard or middleware throws: the status and code it answers with and what went wrong.
 * The platform's ProblemDetailsFilter turns it into the one error body of every radflow HTTP API (RFC 9457); an
 * HttpException, so a Nest app composed without that filter still answers with its status.
 */
export class HttpProblem extends HttpException {
  constructor(readonly problem: HttpProblemInit) {
    super(
      { code: problem.code, detail: problem.detail },
      problem.status,
      problem.cause === undefined ? {} : { cause: problem.cause },
    );
    this.name = 'HttpProblem';
  }

  get code(): ProblemCode {
    return this.problem.code;
  }
}
