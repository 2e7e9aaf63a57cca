import { describe, expect, it } from 'vitest';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { formatEnrichedReport } from './print-results.ts';

const payload = (enrichment: Partial<ReportEnrichedPayload['enrichment']>): ReportEnrichedPayload => ({
  report: {
    source: { kind: 'hl7v2', messageId: 'M1' },
    reportId: 'R1',
    reportVersion: 'F-1',
    accession: 'ACC1003',
    patient: { key: 'a'.repeat(64) },
    procedure: { text: 'XR CHEST PORTABLE' },
    status: 'final',
    text: '',
    sections: {},
    unusedContent: [],
  },
  enrichment: {
    status: 'preliminary',
    aiGenerated: true,
    model: { name: 'radflow-cxr', version: '0.7.0' },
    rulesVersion: 'radflow-rules@1.1.0',
    degraded: false,
    abnormalities: [],
    devices: [],
    priority: { level: 'stat', reasons: ['endotracheal tube malpositioned'] },
    generatedAt: '2026-12-07T16:00:00Z',
    ...enrichment,
  },
});

describe('formatEnrichedReport', () => {
  it("prints what the rule check changed in the model's draft", () => {
    const text = formatEnrichedReport(
      '03-icu-lines-first.hl7',
      payload({
        draftImpression:
          '1. Endotracheal tube tip is in the right mainstem bronchus. 2. Small left basilar atelectasis.',
        draftImpressionEdits: [{ kind: 'critical-finding-added', reason: 'endotracheal tube malpositioned' }],
      }),
    );
    expect(text).toContain(
      'checked      added from the findings: endotracheal tube malpositioned   [by radflow-rules@1.1.0]',
    );
  });

  it('says a draft was withheld by the check, not that the model made none', () => {
    const withheld = formatEnrichedReport(
      'x.hl7',
      payload({ draftImpressionEdits: [{ kind: 'unsupported-finding-removed', label: 'cardiomegaly' }] }),
    );
    expect(withheld).toContain('impression   (withheld by the rule check)');
    expect(withheld).toContain('removed, not supported by the findings: cardiomegaly');
    expect(formatEnrichedReport('y.hl7', payload({}))).toContain('impression   (no draft)');
    expect(formatEnrichedReport('y.hl7', payload({}))).not.toContain('checked ');
  });
});
