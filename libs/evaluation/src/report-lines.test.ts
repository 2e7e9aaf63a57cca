import { describe, expect, it } from 'vitest';
import { emptyReportsLine, skippedLines } from './report-lines.ts';

describe('report lines', () => {
  it('counts skipped reports by reason, with no line for a reason that left none out', () => {
    expect(emptyReportsLine(0)).toBeNull();
    expect(
      skippedLines(2, [
        [0, 'no findings'],
        [1, 'no impression'],
      ]),
    ).toEqual(['2 report(s) skipped: neither findings nor impression', '1 report(s) skipped: no impression']);
    expect(skippedLines(0, [])).toEqual([]);
  });
});
