import { describe, expect, it } from 'vitest';
import { compareLabelSets } from './compare.ts';
import { diffLabels } from './diff.ts';
import { labelReport } from './labeler.ts';

describe('diffLabels', () => {
  it('finds added, removed and changed labels between a prior and a current report', () => {
    const prior = labelReport('Left lower lobe pneumonia. Small left effusion. Cardiomegaly.').abnormalities;
    const current = labelReport(
      'Cardiomegaly. Resolved left lower lobe pneumonia. Possible small left effusion. New right upper lobe nodule.',
    ).abnormalities;
    const diff = diffLabels(prior, current);
    expect(diff.added).toEqual(['nodule']);
    expect(diff.removed).toEqual(['pneumonia']);
    expect(diff.persistent).toEqual(['cardiomegaly']);
    expect(diff.changed).toEqual([
      { label: 'pleural effusion', before: 'present', after: 'uncertain' },
      { label: 'nodule', before: 'absent', after: 'present' },
      { label: 'pneumonia', before: 'present', after: 'absent' },
    ]);
  });

  it('takes maps and treats missing labels as absent', () => {
    expect(diffLabels(new Map(), new Map([['edema', 'present']]))).toEqual({
      added: ['edema'],
      removed: [],
      changed: [{ label: 'edema', before: 'absent', after: 'present' }],
      persistent: [],
    });
  });
});

describe('compareLabelSets', () => {
  it('records where the model and the rules disagree', () => {
    const rules = labelReport(
      'Cardiomegaly. Possible right lower lobe pneumonia. No effusion.',
    ).abnormalities;
    const result = compareLabelSets(['cardiomegaly', 'pleural effusion', 'atelectasis'], rules);
    expect(result.disagreements).toEqual([
      { label: 'atelectasis', model: 'present', rules: 'absent', kind: 'model-only' },
      { label: 'pleural effusion', model: 'present', rules: 'absent', kind: 'model-only' },
      { label: 'pneumonia', model: 'absent', rules: 'uncertain', kind: 'hedged' },
    ]);
    expect(result.agreed).toBe(rules.length - 3);
  });

  it('counts a rules-only finding', () => {
    const rules = labelReport('Left apical pneumothorax.').abnormalities;
    expect(compareLabelSets([], rules, ['pneumothorax'])).toEqual({
      disagreements: [{ label: 'pneumothorax', model: 'absent', rules: 'present', kind: 'rules-only' }],
      agreed: 0,
    });
  });
});
