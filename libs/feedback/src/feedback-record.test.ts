import { describe, expect, it } from 'vitest';
import { radiologistKey } from '@radflow/reports';
import type { FeedbackPayload, RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import { feedbackRecords, implicitFeedback, IMPLICIT_REVIEWER } from './feedback-record.ts';

function report(
  version: string,
  impression: string | undefined,
  status: RadiologyReport['status'] = 'final',
): RadiologyReport {
  return {
    source: { kind: 'hl7v2', messageId: `M-${version}` },
    reportId: 'R1',
    reportVersion: version,
    accession: 'ACC1',
    patient: { key: 'a'.repeat(32) },
    procedure: { text: 'XR CHEST 2 VIEWS' },
    status,
    text: `FINDINGS: Mild cardiomegaly. IMPRESSION: ${impression ?? ''}`,
    sections: { findings: 'Mild cardiomegaly.', ...(impression ? { impression } : {}) },
    unusedContent: [],
  };
}

function enriched(version: string, draftImpression?: string): ReportEnrichedPayload {
  return {
    report: report(version, 'Cardiomegaly.'),
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model: { name: 'radflow-cxr-small', version: '0.1.0' },
      degraded: false,
      ...(draftImpression ? { draftImpression } : {}),
      abnormalities: [{ label: 'cardiomegaly', state: 'present', source: 'model' }],
      devices: [],
      priority: { level: 'routine', reasons: [] },
      generatedAt: '2025-01-01T00:00:00Z',
    },
  };
}

describe('feedbackRecords', () => {
  const payload: FeedbackPayload = {
    feedbackId: '7d6f2a52-2a6b-4c0b-9d55-1b2f0a6f1c11',
    accession: 'ACC1',
    source: 'explicit',
    reviewerId: 'rad-42',
    submittedAt: '2025-01-02T00:00:00Z',
    outputs: [
      { output: 'impression', verdict: 'edit', correctedText: 'Mild cardiomegaly.' },
      { output: 'abnormalities', verdict: 'accept' },
      { output: 'priority', verdict: 'edit', correctedPriority: 'urgent' },
    ],
  };

  it('makes one record per output and fills the draft, model and inputs from the stored enrichment', () => {
    const records = feedbackRecords(payload, enriched('v1', 'Cardiomegaly.'));
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      output: 'impression',
      verdict: 'edit',
      draftText: 'Cardiomegaly.',
      correctedText: 'Mild cardiomegaly.',
      model: { name: 'radflow-cxr-small', version: '0.1.0' },
      findings: 'Mild cardiomegaly.',
      reportVersion: 'v1',
    });
    expect(records[1]!.draftLabels).toEqual([{ label: 'cardiomegaly', state: 'present' }]);
    expect(records[2]!.correctedPriority).toBe('urgent');
  });

  it('attributes every record to the radiologist who signed the drafted report, by key only', () => {
    const signed = enriched('v1', 'Cardiomegaly.');
    signed.report.resultInterpreter = { id: '9999', system: 'RADGRP' };
    const records = feedbackRecords(payload, signed);
    const key = radiologistKey({ id: '9999', system: 'RADGRP' });
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(records.map((r) => r.radiologistKey)).toEqual([key, key, key]);
    expect(JSON.stringify(records)).not.toContain('9999');
    // Unknown signer, or no stored draft: null, never a guess.
    expect(feedbackRecords(payload, enriched('v1', 'Cardiomegaly.'))[0]!.radiologistKey).toBeNull();
    expect(feedbackRecords(payload)[0]!.radiologistKey).toBeNull();
    signed.report.resultInterpreter = { id: '  ' };
    expect(feedbackRecords(payload, signed)[0]!.radiologistKey).toBeNull();
  });

  it('keeps what the event says over the stored enrichment, and works without one', () => {
    const own = { ...payload, model: { name: 'other', version: '9' }, report: { findings: 'Clear lungs.' } };
    const [first] = feedbackRecords(own, enriched('v1', 'Cardiomegaly.'));
    expect(first).toMatchObject({ model: { name: 'other', version: '9' }, findings: 'Clear lungs.' });
    const [bare] = feedbackRecords(payload);
    expect(bare).toMatchObject({
      draftText: null,
      model: null,
      findings: null,
      reportText: null,
      reportVersion: null,
    });
  });
});

describe('implicitFeedback', () => {
  it('pairs the draft with the impression of a later signed version', () => {
    const result = implicitFeedback(
      report('v2', 'Stable mild cardiomegaly.', 'amended'),
      enriched('v1', 'Cardiomegaly.'),
      new Date('2025-01-03T00:00:00Z'),
    );
    expect('payload' in result).toBe(true);
    if (!('payload' in result)) return;
    expect(result.payload).toMatchObject({
      accession: 'ACC1',
      reportVersion: 'v1',
      source: 'implicit',
      reviewerId: IMPLICIT_REVIEWER,
      submittedAt: '2025-01-03T00:00:00.000Z',
      outputs: [
        {
          output: 'impression',
          verdict: 'edit',
          draftText: 'Cardiomegaly.',
          correctedText: 'Stable mild cardiomegaly.',
        },
      ],
    });
    // A redelivery gives the same id; another version another id.
    const again = implicitFeedback(
      report('v2', 'Stable mild cardiomegaly.', 'amended'),
      enriched('v1', 'Cardiomegaly.'),
    );
    const other = implicitFeedback(
      report('v3', 'Stable mild cardiomegaly.', 'amended'),
      enriched('v1', 'Cardiomegaly.'),
    );
    expect('payload' in again && again.payload.feedbackId).toBe(result.payload.feedbackId);
    expect('payload' in other && other.payload.feedbackId).not.toBe(result.payload.feedbackId);
    expect(result.payload.feedbackId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('calls an unchanged impression an accept (case and spacing aside)', () => {
    const result = implicitFeedback(report('v2', '  cardiomegaly. '), enriched('v1', 'Cardiomegaly.'));
    expect('payload' in result && result.payload.outputs[0]).toEqual({
      output: 'impression',
      verdict: 'accept',
      draftText: 'Cardiomegaly.',
    });
  });

  it.each([
    ['no draft stored', report('v2', 'X.'), undefined, 'no-draft'],
    ['the drafted version itself', report('v1', 'X.'), enriched('v1', 'Y.'), 'same-version'],
    ['a draft without impression', report('v2', 'X.'), enriched('v1'), 'no-draft-impression'],
    [
      'a final report without impression',
      report('v2', undefined),
      enriched('v1', 'Y.'),
      'no-final-impression',
    ],
    ['a preliminary report', report('v2', 'X.', 'preliminary'), enriched('v1', 'Y.'), 'not-final'],
  ] as const)('skips %s', (_, final, draft, reason) => {
    expect(implicitFeedback(final, draft)).toEqual({ skipped: reason });
  });
});
