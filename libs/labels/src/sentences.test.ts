import { describe, expect, it } from 'vitest';
import { splitReportSentences } from './sentences.ts';

describe('splitReportSentences', () => {
  it('numbers sentences across findings then impression', () => {
    const s = splitReportSentences({
      findings: 'Heart normal. Lungs clear.',
      impression: 'No acute disease.',
    });
    expect(s.map((x) => [x.index, x.section, x.text])).toEqual([
      [0, 'findings', 'Heart normal.'],
      [1, 'findings', 'Lungs clear.'],
      [2, 'impression', 'No acute disease.'],
    ]);
  });

  it('keeps decimals, drops list numbers and splits a missing space before a capital', () => {
    const s = splitReportSentences(
      '1. ETT 3.4 cm above the carina. 2. Cavitary lesion in the apex.There is scarring.',
    );
    expect(s.map((x) => x.text)).toEqual([
      'ETT 3.4 cm above the carina.',
      'Cavitary lesion in the apex.',
      'There is scarring.',
    ]);
  });

  it('handles missing sections and de-identified fragments', () => {
    expect(
      splitReportSentences({ findings: null, impression: 'XXXX XXXX. Normal chest.' }).map((x) => x.text),
    ).toEqual(['Normal chest.']);
    expect(splitReportSentences({})).toEqual([]);
  });
});
