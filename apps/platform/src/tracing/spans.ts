import { context, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { failSpan, injectTraceContext, RadflowSpanAttributes, traceAccession } from '@radflow/events';
import { fhirFailureOutcome, recordFhirCall } from '../metrics/fhir-call-metrics.ts';

/**
 * The spans the apps start themselves (the Kafka boundary's are libs/events'): the gateway's intake, FHIR calls,
 * HTTP calls to the inference service and the model's generation. Attributes name operations, sizes and timings,
 * never report text, names or identifiers (an accession only as its keyed hash, see traceAccession).
 */
const tracer = () => trace.getTracer('@radflow/platform');

export { traceAccession };

/** Runs `work` in a new span (a child of the active one), ended when it settles; a failure records its code only. */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function serverOf(baseUrl: string): Attributes {
  try {
    const url = new URL(baseUrl);
    return {
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
  } catch {
    return {};
  }
}

/** The resource type a FHIR request path names (`Patient?identifier=…` → Patient; the base itself → Bundle). */
export function fhirResourceType(path: string): string {
  const type = path.split(/[?/]/)[0] ?? '';
  return /^[A-Z][A-Za-z]+$/.test(type) ? type : 'Bundle';
}

/**
 * A CLIENT span around one FHIR call, `fhir <method> <resourceType>`: the server, method, resource type and FHIR
 * interaction (search, transaction, batch, read), and the HTTP status of a failure. Never the URL: a search's query
 * holds identifiers. The call's time and outcome also go to radflow_fhir_request_duration_seconds (tracing on or off).
 */
export function traceFhirCall<T>(
  call: { baseUrl: string; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; interaction: string },
  work: () => Promise<T>,
): Promise<T> {
  const resourceType = fhirResourceType(call.path);
  const started = performance.now();
  const done = (outcome: string) =>
    recordFhirCall({
      method: call.method,
      resourceType,
      outcome,
      seconds: (performance.now() - started) / 1000,
    });
  return withSpan(
    `fhir ${call.method} ${resourceType}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': call.method,
        ...serverOf(call.baseUrl),
        'fhir.resource_type': resourceType,
        'fhir.interaction': call.interaction,
      },
    },
    async (span) => {
      try {
        const result = await work();
        // A fetch Response that came back refused is a failure too (libs/fhir's FhirClient throws FhirError for those).
        const status = result instanceof Response ? result.status : undefined;
        done(status === undefined || status < 400 ? 'ok' : String(status));
        return result;
      } catch (error) {
        const outcome = fhirFailureOutcome(error);
        if (outcome !== 'error') span.setAttribute('http.response.status_code', Number(outcome));
        done(outcome);
        throw error;
      }
    },
  );
}

/**
 * fetch() in a CLIENT span named by the caller (a route template, never the URL: it may hold identifiers), with the
 * span's W3C trace context in the request headers, so the server's spans join the caller's trace.
 */
export function tracedFetch(
  name: string,
  url: string,
  init: RequestInit & { headers?: Record<string, string> },
  attributes: Attributes = {},
): Promise<Response> {
  return withSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': init.method ?? 'GET', ...serverOf(url), ...attributes },
    },
    async (span) => {
      const response = await fetch(url, { ...init, headers: injectTraceContext(init.headers ?? {}) ?? {} });
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 400) failSpan(span, { code: `HTTP_${response.status}` });
      return response;
    },
  );
}

/** What a model task's answer says about its generation (libs/model-runtime TaskOutput, structurally). */
export interface GenerationFacts {
  model: { name: string; version: string };
  usage: { promptTokens: number; generatedTokens: number };
  stopReason?: string;
  timings: { queuedMs: number; firstTokenMs: number; totalMs: number };
}

/**
 * `inference.generate` around one model task: the task, the model's load when it was submitted (sequences in the
 * active batch, requests queued), then tokens in and out, time queued and to the first token, why it stopped. No
 * prompt or answer text.
 */
export function traceModelCall<T extends GenerationFacts>(
  task: string,
  load: { queued: number; active: number } | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return withSpan(
    'inference.generate',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'gen_ai.operation.name': 'text_completion',
        'radflow.inference.task': task,
        ...(load
          ? {
              'radflow.inference.batch_size_at_submit': load.active,
              'radflow.inference.queue_depth_at_submit': load.queued,
            }
          : {}),
      },
    },
    async (span) => {
      const output = await work();
      span.setAttributes({
        'gen_ai.request.model': output.model.name,
        'radflow.model.version': output.model.version,
        'gen_ai.usage.input_tokens': output.usage.promptTokens,
        'gen_ai.usage.output_tokens': output.usage.generatedTokens,
        'radflow.inference.queued_ms': Math.round(output.timings.queuedMs),
        'radflow.inference.first_token_ms': Math.round(output.timings.firstTokenMs),
        ...(output.stopReason ? { 'gen_ai.response.finish_reasons': [output.stopReason] } : {}),
      });
      return output;
    },
  );
}

/**
 * The gateway's span for one inbound message (`gateway receive <kind>`): a SERVER span of its own over MLLP, a child
 * of the HTTP request's span over HTTP. Its Kafka publish (a PRODUCER span) is its child.
 */
export function traceInbound<T extends { accepted: boolean; httpStatus: number; error?: { code: string } }>(
  kind: string,
  transport: string,
  work: () => Promise<T>,
): Promise<T> {
  const underRequest = trace.getSpan(context.active()) !== undefined;
  return withSpan(
    `gateway receive ${kind}`,
    {
      kind: underRequest ? SpanKind.INTERNAL : SpanKind.SERVER,
      attributes: {
        [RadflowSpanAttributes.stage]: 'gateway',
        'radflow.inbound.kind': kind,
        'radflow.inbound.transport': transport,
      },
    },
    async (span) => {
      const outcome = await work();
      span.setAttributes({
        'radflow.inbound.accepted': outcome.accepted,
        'radflow.inbound.status': outcome.httpStatus,
      });
      if (!outcome.accepted) failSpan(span, { code: outcome.error?.code ?? `HTTP_${outcome.httpStatus}` });
      return outcome;
    },
  );
}
