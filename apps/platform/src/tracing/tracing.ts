import { hostname } from 'node:os';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import type { Logger, RadflowConfig } from '@radflow/config';

export type OtelSettings = RadflowConfig['otel'];

/** A host's hold on the process's tracing: close() flushes what is left, the last one to close shuts it down. */
export interface Tracing {
  /** False when OTEL_* leave tracing off: the API's no-op tracer answers every span. */
  readonly enabled: boolean;
  close(): Promise<void>;
}

const off: Tracing = { enabled: false, close: async () => undefined };

interface Installed {
  provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  holders: number;
}

/** One SDK per process (the OpenTelemetry API's globals), shared by the hosts a process starts (tests start several). */
let installed: Promise<Installed> | undefined;

/**
 * Starts OpenTelemetry tracing for this process when the OTEL_* settings ask for it: W3C trace context propagation,
 * AsyncLocalStorage context, a batch span processor exporting over OTLP/HTTP (protobuf or JSON) or to the console.
 * Off (the default) nothing is loaded or registered and every span radflow starts is the API's no-op.
 */
export async function startTracing(
  settings: OtelSettings,
  processName: string,
  logger: Logger,
): Promise<Tracing> {
  if (settings.tracesExporter === 'none') return off;
  installed ??= install(settings, processName, logger).catch((error: unknown) => {
    installed = undefined;
    throw error;
  });
  const sdk = await installed;
  sdk.holders += 1;
  let closed = false;
  return {
    enabled: true,
    close: async () => {
      if (closed) return;
      closed = true;
      sdk.holders -= 1;
      if (sdk.holders > 0) return sdk.provider.forceFlush();
      installed = undefined;
      try {
        await sdk.provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      }
    },
  };
}

async function install(settings: OtelSettings, processName: string, logger: Logger): Promise<Installed> {
  // Loaded only when tracing is on: a process that never traces never loads the SDK.
  const [
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    sdk,
    { resourceFromAttributes, defaultResource },
  ] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
  ]);
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');

  // The exporter's own complaints (collector unreachable, refused batch) go to the host's log, once per kind.
  const otelLog = logger.child({ component: 'otel' });
  const say = (level: 'warn' | 'error') => (message: string) =>
    otelLog[level]({}, `opentelemetry: ${message}`);
  diag.setLogger(
    {
      error: say('error'),
      warn: say('warn'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );

  const exporter = await spanExporter(settings, sdk);
  const provider = new sdk.TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...settings.resourceAttributes,
        [ATTR_SERVICE_NAME]: settings.serviceName ?? processName,
        'service.instance.id': `${hostname()}-${process.pid}`,
      }),
    ),
    sampler: sampler(settings, sdk),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.exportDelayMs })],
  });
  // Baggage is deliberately not propagated: what a sender puts in it would travel on through every stage.
  const registered =
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()) &&
    propagation.setGlobalPropagator(new W3CTraceContextPropagator()) &&
    trace.setGlobalTracerProvider(provider);
  if (!registered)
    otelLog.warn({}, 'another OpenTelemetry SDK is registered in this process; radflow spans go there');
  otelLog.info(
    {
      exporter: settings.tracesExporter,
      protocol: settings.protocol,
      endpoint: settings.tracesExporter === 'otlp' ? settings.endpoint : undefined,
      sampler: settings.sampler,
    },
    'tracing on',
  );
  return { provider, holders: 0 };
}

type Sdk = typeof import('@opentelemetry/sdk-trace');

async function spanExporter(settings: OtelSettings, sdk: Sdk) {
  if (settings.tracesExporter === 'console') return new sdk.ConsoleSpanExporter();
  const options = { url: settings.endpoint, headers: settings.headers, timeoutMillis: settings.timeoutMs };
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(options);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(options);
}

function sampler(settings: OtelSettings, sdk: Sdk) {
  const ratio = new sdk.TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratio });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}
