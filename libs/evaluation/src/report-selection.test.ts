import { describe, expect, it } from 'vitest';
import { hasReportText, selectImpressionReports, selectLabelReports } from './report-selection.ts';

const row = (uid: string, findings: string, impression: string) => ({
  uid,
  problems: 'normal',
  findings,
  impression,
});
const ROWS = [
  row('1', 'Clear.', 'Normal.'),
  row('2', ' ', ''),
  row('3', '', 'Cardiomegaly.'),
  row('4', 'Clear.', ''),
];

describe('report selection', () => {
  it('knows a report with neither findings nor impression', () => {
    expect(ROWS.map(hasReportText)).toEqual([true, false, true, true]);
  });

  it('keeps the reports with findings and impression for the impression task, counting the rest by reason', () => {
    const { usable, skipped } = selectImpressionReports(ROWS);
    expect(usable.map((r) => r.uid)).toEqual(['1']);
    expect(skipped).toEqual({ empty: 1, noFindings: 1, noImpression: 1 });
  });

  it('keeps the reports with text and a reference row for a label task', () => {
    const reference = new Map<string, Record<string, 'present' | 'absent'>>([
      ['1', { edema: 'absent' }],
      ['2', {}],
      ['3', { cardiomegaly: 'present' }],
    ]);
    const { usable, references, skipped } = selectLabelReports(ROWS, reference);
    expect(usable.map((r) => r.uid)).toEqual(['1', '3']);
    expect(references).toEqual([{ edema: 'absent' }, { cardiomegaly: 'present' }]);
    expect(skipped).toEqual({ empty: 1, noReference: 1 });
  });
});
