import { ConfigError, envReader, type Env } from './env-reader.ts';

export type OtelSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/**
 * OpenTelemetry traces, read from the standard OTEL_* variables (the names and meanings of the OpenTelemetry SDK
 * specification). Unlike the specification's default, tracing is OFF unless asked for: OTEL_TRACES_EXPORTER=otlp
 * (or console), or an OTLP endpoint set. Off, the OpenTelemetry API's no-op tracer is all that runs.
 */
export interface OtelSettings {
  /** OTEL_TRACES_EXPORTER: none (default), otlp, or console (spans printed, for debugging). OTEL_SDK_DISABLED wins. */
  tracesExporter: 'none' | 'otlp' | 'console';
  /** OTEL_SERVICE_NAME; unset: the host's process name. */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES (key=value,…): e.g. deployment.environment.name=prod. */
  resourceAttributes: Record<string, string>;
  /** Where spans are posted: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: http/protobuf (default) or http/json; grpc is not supported. */
  protocol: 'http/protobuf' | 'http/json';
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS (key=value,…), e.g. a collector's API key. */
  headers: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT, per export request. */
  timeoutMs: number;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (the ratio of the *traceidratio samplers). */
  sampler: OtelSampler;
  samplerRatio: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how long finished spans wait before they are exported together. */
  exportDelayMs: number;
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** A W3C-baggage-like list (`k1=v1,k2=v2`, values percent-encoded) as used by the OTEL_* variables. */
function keyValueList(name: string, value: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const entry of (value ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    if (at <= 0) throw new ConfigError(name, 'a list of key=value pairs separated by commas');
    try {
      pairs[decodeURIComponent(entry.slice(0, at).trim())] = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConfigError(name, 'a list of percent-encoded key=value pairs');
    }
  }
  return pairs;
}

export function readOtelSettings(env: Env): OtelSettings {
  const read = envReader(env);
  const tracesEndpoint = read.optionalString('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read.optionalString('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporter = read.oneOf(
    'OTEL_TRACES_EXPORTER',
    ['none', 'otlp', 'console'],
    tracesEndpoint || baseEndpoint ? 'otlp' : 'none',
  );
  const serviceName = read.optionalString('OTEL_SERVICE_NAME');
  const protocols = ['http/protobuf', 'http/json'] as const;
  const timeoutMs = read.int('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, { min: 1 });
  return {
    tracesExporter: read.bool('OTEL_SDK_DISABLED', false) ? 'none' : exporter,
    ...(serviceName ? { serviceName } : {}),
    resourceAttributes: keyValueList(
      'OTEL_RESOURCE_ATTRIBUTES',
      read.optionalString('OTEL_RESOURCE_ATTRIBUTES'),
    ),
    // The signal's own endpoint is used as given; the base endpoint gets the signal's path (the spec's rule).
    endpoint: tracesEndpoint ?? `${(baseEndpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/traces`,
    protocol: read.oneOf(
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      protocols,
      read.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', protocols, 'http/protobuf'),
    ),
    headers: {
      ...keyValueList('OTEL_EXPORTER_OTLP_HEADERS', read.optionalString('OTEL_EXPORTER_OTLP_HEADERS')),
      ...keyValueList(
        'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
        read.optionalString('OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
      ),
    },
    timeoutMs: read.int('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', timeoutMs, { min: 1 }),
    sampler: read.oneOf(
      'OTEL_TRACES_SAMPLER',
      [
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ],
      'parentbased_always_on',
    ),
    samplerRatio: read.number('OTEL_TRACES_SAMPLER_ARG', 1, { min: 0, max: 1 }),
    exportDelayMs: read.int('OTEL_BSP_SCHEDULE_DELAY', 5_000, { min: 0 }),
  };
}
