import { describe, expect, it } from 'vitest';
import type { RadiologyReport } from '@radflow/schemas';
import { impressionScores, shadowInput } from './shadow-comparison.ts';

const report = (
  status: RadiologyReport['status'],
  sections: RadiologyReport['sections'],
): RadiologyReport => ({
  source: { kind: 'hl7v2', messageId: 'MSG-1' },
  reportId: 'R1',
  reportVersion: 'v1',
  accession: 'ACC-1',
  patient: { key: 'k'.repeat(32) },
  procedure: { text: 'XR CHEST 2 VIEWS' },
  status,
  reportedAt: '2026-01-01T00:00:00Z',
  text: 'FINDINGS: Lungs clear. IMPRESSION: No acute disease.',
  sections,
  unusedContent: [],
});

describe('shadowInput', () => {
  it('reads the findings and the signed impression of a final, amended or corrected report', () => {
    for (const status of ['final', 'amended', 'corrected'] as const) {
      expect(
        shadowInput(report(status, { findings: ' Lungs clear. ', impression: 'No acute disease.' })),
      ).toEqual({
        findings: 'Lungs clear.',
        signedImpression: 'No acute disease.',
      });
    }
  });

  it('passes over a report that is not signed, or lacks what the drafts need or are scored against', () => {
    expect(shadowInput(report('preliminary', { findings: 'a', impression: 'b' }))).toEqual({
      skipped: 'not-final',
    });
    expect(shadowInput(report('final', { impression: 'b' }))).toEqual({ skipped: 'no-findings' });
    expect(shadowInput(report('final', { findings: 'a', impression: '  ' }))).toEqual({
      skipped: 'no-signed-impression',
    });
  });
});

describe('impressionScores', () => {
  it("scores a draft against the signed impression with the gate's metrics", () => {
    expect(impressionScores('No acute disease.', 'No acute disease.')).toEqual({
      rougeL: 1,
      bleu1: 1,
      f1: 1,
    });
    const partial = impressionScores('No acute disease.', 'Small left pleural effusion, no acute disease.');
    for (const metric of ['rougeL', 'bleu1', 'f1'] as const) {
      expect(partial[metric]).toBeGreaterThan(0);
      expect(partial[metric]).toBeLessThan(1);
    }
    expect(impressionScores('Cardiomegaly.', 'Lungs clear.').rougeL).toBe(0);
  });
});
