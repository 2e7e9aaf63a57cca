import type { DiagnosticReport, Observation, Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture, storedWriteback } from './enriched-fixture.testing.ts';
import { planSupersession, supersessionSearch } from './supersession.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';

/** What the server returns for the writeback of one version (AI report, observations, task). */
function storedVersion(reportVersion: string, reportedAt: string, prefix: string): Resource[] {
  const earlier = enrichedFixture({ reportVersion });
  earlier.report.reportedAt = reportedAt;
  return storedWriteback(earlier, prefix).filter((r) =>
    ['DiagnosticReport', 'Observation', 'Task'].includes(r.resourceType),
  );
}

describe('planSupersession', () => {
  const amended = enrichedFixture({ reportVersion: 'amended:2024-03-02T08:00:00Z' });
  amended.report.status = 'amended';
  amended.report.reportedAt = '2024-03-02T08:00:00Z';

  it('retires the earlier version’s report, observations and task in the same transaction', () => {
    const found = storedVersion('final:2024-03-01', '2024-03-01T10:15:00Z', 'old');
    const plan = planSupersession(amended, found);
    expect(plan.supersededOnArrival).toBe(false);
    expect(plan.retire.map((r) => r.resourceType).sort()).toEqual([
      'DiagnosticReport',
      'Observation',
      'Observation',
      'Observation',
      'Observation',
      'Observation',
      'Task',
    ]);

    const bundle = buildWritebackBundle(amended, { supersession: plan });
    const puts = (bundle.entry ?? []).filter((e) => e.request?.method === 'PUT');
    expect(puts).toHaveLength(7);
    for (const put of puts) {
      expect(put.request?.url).toBe(`${put.resource?.resourceType}/${put.resource?.id}`);
      expect(put.request?.ifMatch).toBe('W/"1"');
      expect((put.resource as { status: string }).status).toBe('entered-in-error');
      expect(put.resource?.meta?.tag?.map((t) => t.code)).toContain('superseded');
      expect(put.resource?.meta?.security?.[0]?.code).toBe('AIAST');
      expect(put.resource?.meta?.versionId).toBeUndefined();
    }
    const newReport = bundle.entry?.find(
      (e) => e.request?.method === 'POST' && e.resource?.resourceType === 'DiagnosticReport',
    );
    expect((newReport?.resource as DiagnosticReport).status).toBe('preliminary');
  });

  it('writes a late-arriving older version already retired and leaves the newer one alone', () => {
    const found = storedVersion('amended:2024-03-02T08:00:00Z', '2024-03-02T08:00:00Z', 'new');
    const late = enrichedFixture({ reportVersion: 'final:2024-03-01' });
    const plan = planSupersession(late, found);
    expect(plan).toEqual({ retire: [], supersededOnArrival: true });
    const resources = (buildWritebackBundle(late, { supersession: plan }).entry ?? []).map((e) => e.resource);
    for (const resource of resources.filter((r) =>
      ['DiagnosticReport', 'Observation', 'Task'].includes(r?.resourceType ?? ''),
    )) {
      expect((resource as DiagnosticReport | Observation | Task).status).toBe('entered-in-error');
    }
  });

  it('retires nothing for the same version (a replay or another model) or for resources already retired', () => {
    const sameVersion = storedVersion(amended.report.reportVersion, '2024-03-02T08:00:00Z', 'same');
    expect(planSupersession(amended, sameVersion).retire).toEqual([]);
    const alreadyRetired = storedVersion('final:2024-03-01', '2024-03-01T10:15:00Z', 'gone').map(
      (r) => ({ ...r, status: 'entered-in-error' }) as Resource,
    );
    expect(planSupersession(amended, alreadyRetired)).toEqual({ retire: [], supersededOnArrival: false });
  });

  it('lets the last arrival win when the report times are unknown', () => {
    const found = storedVersion('v1', 'not a time', 'old');
    expect(planSupersession(amended, found).retire.length).toBe(7);
  });

  it('searches the exam’s AI reports with their observations and tasks', () => {
    const search = supersessionSearch(amended);
    expect(search.startsWith('DiagnosticReport?_tag=urn%3Aradflow%3Aaccession%7CACC-1001&')).toBe(true);
    expect(search).toContain('_include=DiagnosticReport:result');
    expect(search).toContain('_revinclude=Task:focus');
  });
});
