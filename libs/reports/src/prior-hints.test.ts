import { describe, expect, it } from 'vitest';
import { priorHintsFromComparison } from './prior-hints.ts';

describe('priorHintsFromComparison', () => {
  it('finds dates in the formats reports use, in order, as ISO dates', () => {
    expect(
      priorHintsFromComparison(
        'Chest radiograph 01/02/2020 and CT 2019-11-30; also March 5, 2018 and 7 Jun 2017.',
      ),
    ).toEqual({
      comparisonText: 'Chest radiograph 01/02/2020 and CT 2019-11-30; also March 5, 2018 and 7 Jun 2017.',
      priorDates: ['2020-01-02', '2019-11-30', '2018-03-05', '2017-06-07'],
    });
  });

  it('reads day-first dates when the first number cannot be a month, and two-digit years', () => {
    expect(priorHintsFromComparison('25/12/19')?.priorDates).toEqual(['2019-12-25']);
    expect(priorHintsFromComparison('PA and lateral from 20210304')?.priorDates).toEqual(['2021-03-04']);
    expect(priorHintsFromComparison('December 2015')?.priorDates).toEqual(['2015-12']);
  });

  it('marks "none" as no prior study', () => {
    for (const none of [
      'None.',
      'none',
      'No prior studies.',
      'No prior studies available for comparison.',
      'N/A',
    ]) {
      expect(priorHintsFromComparison(none)).toEqual({ comparisonText: none, noPrior: true });
    }
  });

  it('finds nothing in de-identified or vague comparisons and ignores impossible dates', () => {
    expect(priorHintsFromComparison('XXXX, XXXX')).toEqual({ comparisonText: 'XXXX, XXXX' });
    expect(priorHintsFromComparison('13/45/2020')).toEqual({ comparisonText: '13/45/2020' });
    expect(priorHintsFromComparison(undefined)).toBeUndefined();
    expect(priorHintsFromComparison('  ')).toBeUndefined();
  });
});
