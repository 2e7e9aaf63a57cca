import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Logger } from '@radflow/config';
import { TRACE_ID_HEADER } from '@radflow/events';
import type { Problem } from '@radflow/schemas';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { HttpProblem } from './http-problem.ts';
import { operationOutcome } from './operation-outcome.ts';
import { problemOf } from './problem-of.ts';

/** A trace id a caller may send (radflow-trace-id): echoed back only when it looks like one. */
const TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The one boundary where an HTTP request that failed gets its error body: every radflow HTTP host installs it
 * globally, so what a handler, guard, middleware or body parser throws answers as an RFC 9457 problem
 * (application/problem+json) with radflow's code. Errors in Kafka handlers are rethrown untouched: the Kafka
 * transport needs the original error to choose between retry and dead letter.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => exception);
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const { problem, retryAfterSeconds } = problemOf(exception, traceIdOf(request, response));
    if (problem.status >= 500 && problem.status !== 503 && problem.status !== 504)
      this.logger?.error(
        { status: problem.status, code: problem.code, errorName: errorName(exception) },
        'HTTP request failed',
      );
    // A streamed answer (server-sent events) that already began cannot become an error body.
    if (response.headersSent) return void response.end();
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    this.send(response, problem);
  }

  protected send(response: Response, problem: Problem): void {
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}

/**
 * The same boundary for the routes that speak FHIR (the gateway's rest-hook and notify endpoints): the same
 * problem, answered as a FHIR OperationOutcome. Installed on those routes with @UseFilters.
 */
@Catch()
export class FhirOperationOutcomeFilter extends ProblemDetailsFilter {
  protected override send(response: Response, problem: Problem): void {
    response
      .status(problem.status)
      .type('application/fhir+json')
      .send(JSON.stringify(operationOutcome(problem)));
  }
}

/** The name of what failed (an HttpProblem's cause): messages stay out of logs, they can quote a report. */
function errorName(exception: unknown): string | undefined {
  const failed =
    exception instanceof HttpProblem && exception.cause !== undefined ? exception.cause : exception;
  return (failed as Error | undefined)?.name;
}

/** The request's trace: the one the handler answered with, the caller's, else the W3C trace of its span. */
function traceIdOf(request: Request, response: Response): string | undefined {
  for (const given of [response.getHeader(TRACE_ID_HEADER), request.headers[TRACE_ID_HEADER]]) {
    if (typeof given === 'string' && TRACE_ID.test(given)) return given;
  }
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : undefined;
}
