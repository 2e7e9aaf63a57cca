import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../client/fhir-error.ts';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import { sendInSteps, writeBackEnrichment } from './writeback-plan.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';

const LIMITS = { maxConditionalEntries: 3, maxUpdates: 50 };

/** A server that creates every entry (201, a location per entry) until the step numbered `failAt`, which it refuses. */
function server(failAt?: { step: number; error: FhirError }) {
  const sent: Bundle[] = [];
  return {
    sent,
    searches: [] as string[],
    async searchResources(path: string) {
      this.searches.push(path);
      return [];
    },
    async transaction(bundle: Bundle): Promise<Bundle> {
      sent.push(bundle);
      if (failAt && sent.length === failAt.step) throw failAt.error;
      return {
        resourceType: 'Bundle',
        type: 'transaction-response',
        entry: (bundle.entry ?? []).map((entry, index) => ({
          response: {
            status: entry.request?.method === 'PUT' ? '200' : '201',
            location: `${entry.resource?.resourceType}/s${sent.length}e${index}/_history/1`,
          },
        })),
      };
    },
  };
}

const rejected = new FhirError({ code: 'FHIR_REJECTED', reason: 'HTTP 400', transient: false, status: 400 });
const unavailable = new FhirError({
  code: 'FHIR_HTTP_503',
  reason: 'HTTP 503',
  transient: true,
  status: 503,
});

describe('sendInSteps', () => {
  const bundle = buildWritebackBundle(enrichedFixture());

  it('sends the bundle in steps within the limits, references to earlier steps resolved, and sums them', async () => {
    const fhir = server();
    const summary = await sendInSteps(fhir, bundle, LIMITS);
    expect(fhir.sent.length).toBeGreaterThan(1);
    expect(fhir.sent.every((step) => (step.entry?.length ?? 0) <= LIMITS.maxConditionalEntries)).toBe(true);
    expect(summary.created).toBe(bundle.entry!.length);
    const later = JSON.stringify(fhir.sent.slice(1));
    const firstStepUrls = fhir.sent[0]!.entry!.map((entry) => entry.fullUrl!);
    expect(firstStepUrls.some((url) => later.includes(`"reference":"${url}"`))).toBe(false);
    expect(later).toMatch(/"reference":"[A-Za-z]+\/s1e\d+"/); // rewritten to the ids the server gave
  });

  it('retires what earlier steps wrote when a later step is refused for good, then rethrows', async () => {
    const fhir = server({ step: 2, error: rejected });
    await expect(sendInSteps(fhir, bundle, LIMITS)).rejects.toBe(rejected);
    const undo = fhir.sent[2]!;
    expect(fhir.sent).toHaveLength(3);
    expect(undo.entry!.every((entry) => entry.request?.method === 'PUT')).toBe(true);
    expect(undo.entry!.every((entry) => /\/s1e\d+$/.test(entry.request!.url!))).toBe(true);
  });

  it('retires nothing on a transient failure: the retry completes the same steps', async () => {
    const fhir = server({ step: 2, error: unavailable });
    await expect(sendInSteps(fhir, bundle, LIMITS)).rejects.toBe(unavailable);
    expect(fhir.sent).toHaveLength(2);
  });
});

describe('writeBackEnrichment', () => {
  it('searches for earlier versions, asks where the patient is, and writes the bundle', async () => {
    const fhir = server();
    const enriched = enrichedFixture();
    const asked: string[] = [];
    const outcome = await writeBackEnrichment(
      fhir,
      { targets: async (report) => (asked.push(report.accession), { patient: 'Patient/pat-1' }) },
      enriched,
      { limits: LIMITS },
    );
    expect(fhir.searches).toHaveLength(1);
    expect(fhir.searches[0]).toMatch(/^DiagnosticReport\?_tag=/);
    expect(asked).toEqual([enriched.report.accession]);
    expect(outcome).toMatchObject({ supersededOnArrival: false, retired: 0 });
    expect(outcome.created).toBeGreaterThan(0);
    expect(JSON.stringify(fhir.sent)).toContain('"reference":"Patient/pat-1"');
  });
});
