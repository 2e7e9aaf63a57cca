import { describe, expect, it } from 'vitest';
import type { RadiologyReport } from '@radflow/schemas';
import { ReportEnricher, RulesFromLabelsLib, type ModelClient } from './index.ts';

const report: RadiologyReport = {
  source: { kind: 'hl7v2', messageId: 'M1' },
  reportId: 'R1',
  reportVersion: 'F-1',
  accession: 'ACC9',
  patient: { key: 'c'.repeat(64) },
  procedure: { text: 'XR CHEST 1 VIEW' },
  status: 'final',
  reportedAt: '2025-01-12T06:08:00Z',
  text: 'FINDINGS: Large right pneumothorax. IMPRESSION: Right pneumothorax.',
  sections: { findings: 'Large right pneumothorax.', impression: 'Right pneumothorax.' },
  unusedContent: [],
};

const answering: ModelClient = {
  draft: async () => ({
    model: { name: 'stub', version: '1' },
    draftImpression: 'Right pneumothorax.',
    abnormalities: ['pneumothorax', 'edema'],
    devices: [],
  }),
};

describe('ReportEnricher', () => {
  it('drafts with the model and emits the rules’ labels, STAT for a pneumothorax', async () => {
    const { enrichment } = await new ReportEnricher(answering, new RulesFromLabelsLib(), {
      deadlineMs: 1_000,
    }).enrich(report, undefined);
    expect(enrichment).toMatchObject({ degraded: false, draftImpression: 'Right pneumothorax.' });
    expect(enrichment.abnormalities).toEqual([{ label: 'pneumothorax', state: 'present', source: 'model' }]);
    expect(enrichment.disagreements).toContainEqual({ label: 'edema', model: 'present', rules: 'absent' });
    expect(enrichment.priority.level).toBe('stat');
  });

  it('goes rules-only past the deadline and tells the app why', async () => {
    const told: string[] = [];
    const never: ModelClient = { draft: () => new Promise(() => {}) };
    const { enrichment } = await new ReportEnricher(never, new RulesFromLabelsLib(), {
      deadlineMs: 10,
      onModelUnavailable: (r, failure) => told.push(`${r.accession}: ${failure}`),
    }).enrich(report, undefined);
    expect(enrichment.degraded).toBe(true);
    expect(enrichment.model.name).toBe('radflow-rules');
    expect(enrichment.priority.level).toBe('stat');
    expect(told).toEqual(['ACC9: model deadline of 10 ms exceeded']);
  });
});
