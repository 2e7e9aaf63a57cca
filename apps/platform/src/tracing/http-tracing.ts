import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { extractTraceContext } from '@radflow/events';

/** Paths scraped or probed every few seconds: no span (they would drown the traces that matter). */
const UNTRACED = /\/(metrics|health|ready)$/;

/**
 * A SERVER span for each HTTP request a host answers, the child of the W3C trace context its headers carry (the
 * enricher's call to the inference service), named by the route pattern (never the path: paths can hold ids).
 * Off (no SDK registered) it only calls next().
 */
export function httpTracingMiddleware() {
  const tracer = trace.getTracer('@radflow/platform');
  return (request: Request, response: Response, next: NextFunction): void => {
    // No propagator registered means tracing is off: nothing to do.
    if (propagation.fields().length === 0 || (request.method === 'GET' && UNTRACED.test(request.path)))
      return next();
    const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
    const parent = extractTraceContext({
      traceparent: first(request.headers.traceparent),
      tracestate: first(request.headers.tracestate),
    });
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.scheme': request.protocol,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (typeof route === 'string') {
        span.setAttribute('http.route', `${request.baseUrl}${route}`);
        span.updateName(`${request.method} ${request.baseUrl}${route}`);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    // Listeners added later (body parsers reading the request) run in the request's context too.
    context.bind(active, request);
    context.bind(active, response);
    context.with(active, next);
  };
}
