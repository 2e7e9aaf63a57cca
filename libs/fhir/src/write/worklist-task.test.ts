import { describe, expect, it } from 'vitest';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import {
  planWorklistTaskSupersession,
  worklistTask,
  worklistTaskBundle,
  worklistTaskKey,
} from './worklist-task.ts';
import { IdentifierSystems, RULE_BASED_TAG } from './vocabulary.ts';

function triaged(overrides: { reportVersion?: string; reportedAt?: string } = {}): ReportTriagedPayload {
  const { report } = enrichedFixture(
    overrides.reportVersion ? { reportVersion: overrides.reportVersion } : {},
  );
  return {
    report: { ...report, ...(overrides.reportedAt ? { reportedAt: overrides.reportedAt } : {}) },
    triage: {
      priority: { level: 'stat', reasons: ['pneumothorax'] },
      abnormalities: [{ label: 'pneumothorax', state: 'present' }],
      devices: [],
      labeler: { name: 'radflow-rules', version: '1.0.0' },
      triagedAt: '2024-03-01T10:15:01Z',
    },
  };
}

describe('the worklist Task written before the model drafts', () => {
  it('carries the rules priority, points at the signed report and is not labelled AI-asserted', () => {
    const task = worklistTask(triaged(), { targets: { sourceReport: 'DiagnosticReport/src-9' } });
    expect(task.priority).toBe('stat');
    expect(task.status).toBe('requested');
    expect(task.focus?.reference).toBe('DiagnosticReport/src-9');
    expect(task.focus?.identifier?.value).toBe('ACC-1001');
    expect(task.identifier).toEqual([
      { system: IdentifierSystems.worklistTask, value: worklistTaskKey(triaged().report) },
    ]);
    expect(task.meta?.security ?? []).toEqual([]);
    expect(task.meta?.tag).toContainEqual(RULE_BASED_TAG);
    expect(task.description).toContain('pneumothorax');
  });

  it('is keyed by accession and report version only, so the model version never makes a second one', () => {
    expect(worklistTaskKey(triaged().report)).toBe('ACC-1001/final:2024-03-01T10:15:00Z');
  });

  it('is created once: a conditional create on its key tag', () => {
    const [entry] = worklistTaskBundle(triaged()).entry ?? [];
    expect(entry?.request?.method).toBe('POST');
    expect(entry?.request?.ifNoneExist).toBe(
      `_tag=${encodeURIComponent(`urn:radflow:writeback-key|ACC-1001/final:2024-03-01T10:15:00Z`)}`,
    );
    expect((entry?.resource as { text?: { div?: string } }).text?.div).toContain('STAT');
  });

  it('retires the Task of an earlier version and keeps a later one', () => {
    const older = {
      ...worklistTask(triaged({ reportVersion: 'prelim', reportedAt: '2024-03-01T09:00:00Z' })),
      id: 'old',
      meta: { versionId: '3' },
    };
    const amended = triaged({ reportVersion: 'corrected', reportedAt: '2024-03-01T12:00:00Z' });
    const plan = planWorklistTaskSupersession(amended, [older]);
    expect(plan).toEqual({ retire: [older], supersededOnArrival: false });
    const retirement = worklistTaskBundle(amended, { retire: plan.retire }).entry?.[1];
    expect(retirement?.request).toEqual({ method: 'PUT', url: 'Task/old', ifMatch: 'W/"3"' });
    expect((retirement?.resource as { status?: string }).status).toBe('entered-in-error');

    const late = triaged({ reportVersion: 'prelim-2', reportedAt: '2024-03-01T08:00:00Z' });
    const newer = { ...worklistTask(amended), id: 'new' };
    expect(planWorklistTaskSupersession(late, [newer])).toEqual({ retire: [], supersededOnArrival: true });
    expect(worklistTask(late, { supersededOnArrival: true }).status).toBe('entered-in-error');
  });

  it('leaves its own Task and other resources alone', () => {
    const own = { ...worklistTask(triaged()), id: 'same' };
    const aiTask = {
      resourceType: 'Task' as const,
      id: 'ai',
      status: 'requested' as const,
      intent: 'proposal' as const,
      identifier: [{ system: IdentifierSystems.aiTask, value: 'x' }],
    };
    expect(planWorklistTaskSupersession(triaged(), [own, aiTask]).retire).toEqual([]);
  });
});
