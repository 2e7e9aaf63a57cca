import { describe, expect, it } from 'vitest';
import {
  formatVerdict,
  judge,
  NO_FAULT,
  OUTPUTS,
  WINDOW_GRACE_MS,
  windowOf,
  type Output,
  type ReportCounts,
  type SentReport,
} from './soak-verdict.ts';

const once = (): ReportCounts => ({
  outputs: Object.fromEntries(OUTPUTS.map((o) => [o, 1])) as Record<Output, number>,
  deadLetters: {},
});
const reports: SentReport[] = [0, 1, 2, 3].map((index) => ({
  index,
  accession: `A${index}`,
  ackedAt: 1_000 + index * 10_000,
}));
const windows = [
  { label: 'SIGKILL enricher', startedAt: 10_000, endedAt: 12_000 },
  { label: 'FHIR SIGSTOP 5 s', startedAt: 25_000, endedAt: 30_000 },
];

describe('windowOf', () => {
  it('puts a report in the fault it was acknowledged in, or shortly after', () => {
    expect(windowOf(500, windows)).toBe(NO_FAULT);
    expect(windowOf(11_000, windows)).toBe('SIGKILL enricher');
    expect(windowOf(12_000 + WINDOW_GRACE_MS, windows)).toBe('SIGKILL enricher');
    expect(windowOf(12_001 + WINDOW_GRACE_MS, windows)).toBe(NO_FAULT);
    expect(windowOf(31_000, windows)).toBe('FHIR SIGSTOP 5 s');
  });
});

describe('judge', () => {
  it('passes when every report has exactly one of every output', () => {
    const counts = new Map(reports.map((r) => [r.accession, once()]));
    const verdict = judge(reports, counts, windows);
    expect(verdict.ok).toBe(true);
    expect(verdict.total).toEqual({ reports: 4, lost: 0, duplicated: 0, deadLettered: 0 });
    expect(verdict.byWindow.map((w) => [w.label, w.tally.reports])).toEqual([
      [NO_FAULT, 2],
      ['SIGKILL enricher', 1],
      ['FHIR SIGSTOP 5 s', 1],
    ]);
  });

  it('counts a missing output as lost, a second one as duplicated, in its output and its window', () => {
    const counts = new Map(reports.map((r) => [r.accession, once()]));
    counts.get('A1')!.outputs['outbound ORU'] = 2; // acked in the kill window
    counts.get('A3')!.outputs['FHIR AI review Task'] = 0; // acked in the freeze window
    counts.get('A3')!.deadLetters['rad.report.enriched.v1.dlq'] = 1;
    counts.delete('A0'); // nothing at all
    const verdict = judge(reports, counts, windows);
    expect(verdict.ok).toBe(false);
    expect(verdict.byOutput['outbound ORU']).toEqual({ reports: 4, lost: 1, duplicated: 1, deadLettered: 1 });
    expect(verdict.byOutput['FHIR AI review Task']).toMatchObject({ lost: 2, deadLettered: 1 });
    expect(verdict.byOutput.triaged).toMatchObject({ lost: 1, deadLettered: 0 });
    expect(verdict.total).toEqual({ reports: 4, lost: 2, duplicated: 1, deadLettered: 1 });
    expect(verdict.lostReports).toEqual([0, 3]);
    expect(verdict.duplicatedReports).toEqual([1]);
    const byLabel = Object.fromEntries(verdict.byWindow.map((w) => [w.label, w.tally]));
    expect(byLabel['SIGKILL enricher']).toMatchObject({ duplicated: 1, lost: 0 });
    expect(byLabel['FHIR SIGSTOP 5 s']).toMatchObject({ lost: 1, deadLettered: 1 });
  });

  it('prints the tables with report indexes only and the verdict', () => {
    const counts = new Map(reports.map((r) => [r.accession, once()]));
    counts.get('A2')!.outputs.enriched = 3;
    const text = formatVerdict(judge(reports, counts, windows), 61_500);
    expect(text).toMatch(/^enriched\s+4\s+0\s+1\s+0$/m);
    expect(text).toContain('duplicated: report #2');
    expect(text).not.toContain('A2');
    expect(text).toContain('elapsed 61.5 s: FAIL');
  });
});
