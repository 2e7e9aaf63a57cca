import { randomUUID } from 'node:crypto';
import { loadConfig } from '@radflow/config';
import { describe, expect, it } from 'vitest';
import { fhirClientFor, type FhirCall } from './fhir-client.ts';
import type { FhirError } from './fhir-error.ts';
import { fhirFailureOf } from './fhir-failure-of.testing.ts';

/** Against the real FHIR server of the configured base URL (FHIR_BASE_URL). */
const settings = loadConfig().fhir;

describe('FhirClient on the real FHIR server', () => {
  it('calls the read of a missing resource permanent, with the OperationOutcome parsed, and tells the observer', async () => {
    const seen: Array<{ call: FhirCall; outcome: string }> = [];
    const client = fhirClientFor(settings, {
      around: async (call, work) => {
        try {
          const result = await work();
          seen.push({ call, outcome: 'ok' });
          return result;
        } catch (error) {
          seen.push({ call, outcome: String((error as FhirError).status) });
          throw error;
        }
      },
    });
    const id = `radflow-missing-${randomUUID()}`;
    const missing = await fhirFailureOf(client.read('DiagnosticReport', id));
    expect(missing).toMatchObject({ code: 'FHIR_NOT_FOUND', transient: false, permanent: true, status: 404 });
    expect(missing.issues.length).toBeGreaterThan(0);
    expect(missing.issues[0]!.code).toBe('not-found');
    expect(missing.message).toMatch(/^FHIR read failed with HTTP 404: error not-found/);
    expect(missing.message).not.toContain(id);
    expect(seen).toEqual([
      {
        call: {
          baseUrl: settings.baseUrl,
          method: 'GET',
          path: `DiagnosticReport/${id}`,
          interaction: 'read',
        },
        outcome: '404',
      },
    ]);

    const page = await client.search('DiagnosticReport?_count=1');
    expect(page.resourceType).toBe('Bundle');
    expect(seen.at(-1)).toMatchObject({ call: { interaction: 'search' }, outcome: 'ok' });
  });
});
