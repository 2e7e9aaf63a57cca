import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './env-reader.ts';
import { readOtelSettings } from './otel.ts';

describe('OTEL_* settings', () => {
  it('leave tracing off by default', () => {
    expect(loadConfig({}).otel).toMatchObject({
      tracesExporter: 'none',
      endpoint: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
    });
  });

  it('turn it on with an OTLP endpoint, which gets the traces path', () => {
    const otel = readOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(otel.tracesExporter).toBe('otlp');
    expect(otel.endpoint).toBe('http://collector:4318/v1/traces');
    // The signal's own endpoint is taken as it is.
    expect(
      readOtelSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/custom' }).endpoint,
    ).toBe('http://jaeger:4318/custom');
  });

  it('read the standard names: exporter, service, protocol, headers, resource, sampler, delay', () => {
    const otel = readOtelSettings({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_SERVICE_NAME: 'radflow-site-a',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x-tenant=1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=2',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,site=east',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
    });
    expect(otel).toMatchObject({
      tracesExporter: 'otlp',
      serviceName: 'radflow-site-a',
      protocol: 'http/json',
      headers: { 'api-key': 'a b', 'x-tenant': '2' },
      resourceAttributes: { 'deployment.environment.name': 'prod', site: 'east' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      exportDelayMs: 200,
      timeoutMs: 3000,
    });
  });

  it('OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none keep it off whatever else is set', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(readOtelSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracesExporter).toBe('none');
    expect(readOtelSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracesExporter).toBe('none');
  });

  it('refuse what they cannot honour', () => {
    expect(() => readOtelSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(ConfigError);
    expect(() => readOtelSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => readOtelSettings({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toThrow(ConfigError);
    expect(() => readOtelSettings({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(ConfigError);
  });
});
