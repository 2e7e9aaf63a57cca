import { describe, expect, it } from 'vitest';
import { traceFhirCall } from '../tracing/spans.ts';
import { PlatformMetrics } from './platform-metrics.ts';

const count = (body: string, labels: string) =>
  Number(
    new RegExp(`radflow_fhir_request_duration_seconds_count\\{${labels}\\} (\\d+)`).exec(body)?.[1] ?? 0,
  );

describe('FHIR call metrics', () => {
  it('counts each FHIR call by method, resource type and outcome, and stops when the host closes', async () => {
    const metrics = new PlatformMetrics(['writeback']);
    const call = { baseUrl: 'http://fhir.test/R4', interaction: 'search' } as const;
    await traceFhirCall({ ...call, method: 'POST', path: '' }, async () => ({ resourceType: 'Bundle' }));
    await traceFhirCall({ ...call, method: 'GET', path: 'Patient?identifier=x|1' }, async () =>
      Response.json({}, { status: 404 }),
    );
    await expect(
      traceFhirCall({ ...call, method: 'GET', path: 'Task?_tag=a' }, async () => {
        throw Object.assign(new Error('refused'), { response: { status: 503 } });
      }),
    ).rejects.toThrow('refused');
    await expect(
      traceFhirCall({ ...call, method: 'GET', path: 'Task' }, async () => {
        throw new Error('ECONNREFUSED');
      }),
    ).rejects.toThrow();
    // libs/fhir's FhirError carries the answer's status as `status`.
    await expect(
      traceFhirCall({ ...call, method: 'POST', path: '' }, async () => {
        throw Object.assign(new Error('FHIR transaction failed with HTTP 409'), { status: 409 });
      }),
    ).rejects.toThrow('409');
    let body = (await metrics.exposition()).body;
    expect(count(body, 'method="POST",resource_type="Bundle",outcome="ok"')).toBe(1);
    expect(count(body, 'method="GET",resource_type="Patient",outcome="404"')).toBe(1);
    expect(count(body, 'method="GET",resource_type="Task",outcome="503"')).toBe(1);
    expect(count(body, 'method="GET",resource_type="Task",outcome="error"')).toBe(1);
    expect(count(body, 'method="POST",resource_type="Bundle",outcome="409"')).toBe(1);
    expect(body).not.toContain('identifier'); // never the query

    metrics.stopObservingFhirCalls();
    await traceFhirCall({ ...call, method: 'POST', path: '' }, async () => ({}));
    body = (await metrics.exposition()).body;
    expect(count(body, 'method="POST",resource_type="Bundle",outcome="ok"')).toBe(1);
  });
});
