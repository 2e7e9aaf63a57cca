import { describe, expect, it } from 'vitest';
import { fixedEvaluationSet, negbioLabelIds, openiReportText, openiSplitOf } from './fixed-evaluation-set.ts';

describe('openiSplitOf', () => {
  it('agrees with the trainer (models/training/radflow_train/data.py split_of)', () => {
    // From: /usr/bin/python3 -c "from radflow_train import data; print(data.split_of(u))" for these uids.
    for (const uid of ['1', '2', '3', '4', '5', '8']) expect(openiSplitOf(uid)).toBe('train');
    for (const uid of ['6', '7', '54', '56', '63', '71']) expect(openiSplitOf(uid)).toBe('validation');
    for (const uid of ['9', '11', '25', '37', '39', '40']) expect(openiSplitOf(uid)).toBe('test');
  });
});

describe('fixedEvaluationSet', () => {
  const reports = [
    { uid: '40', findings: 'Heart  enlarged.', impression: 'Cardiomegaly.', indication: 'Dyspnea' },
    { uid: '9', findings: 'Clear lungs.', impression: 'Normal.' },
    { uid: '11', findings: '', impression: 'Normal.' },
    { uid: '1', findings: 'Clear.', impression: 'Normal.' },
    { uid: '25', findings: 'Effusion.', impression: 'Effusion.' },
  ];
  const negbio = [
    { filename: 'CXR40', Cardiomegaly: '1', Effusion: '0' },
    { filename: 'CXR9', Cardiomegaly: '0', Effusion: '0' },
    { filename: 'CXR11', Cardiomegaly: '0', Effusion: '0' },
    { filename: 'CXR1', Cardiomegaly: '0', Effusion: '0' },
  ];

  it('takes test-split reports with findings, impression and NegBio labels, in uid order, up to the limit', () => {
    const set = fixedEvaluationSet(reports, negbio, { limit: 10 });
    expect(set.examples.map((e) => e.id)).toEqual(['9', '40']);
    const heart = set.examples[1]!;
    expect(heart).toMatchObject({
      findings: 'Heart enlarged.',
      impression: 'Cardiomegaly.',
      reportText: 'INDICATION: Dyspnea\nFINDINGS: Heart enlarged.\nIMPRESSION: Cardiomegaly.',
    });
    expect(heart.goldLabels).toMatchObject({ cardiomegaly: 'present', 'pleural effusion': 'absent' });
    expect(set.labelIds).toHaveLength(14);
    expect(fixedEvaluationSet(reports, negbio, { limit: 1 }).examples).toHaveLength(1);
  });

  it('maps every NegBio column to a vocabulary id', () => {
    const ids = negbioLabelIds();
    expect(ids.get('Effusion')).toBe('pleural effusion');
    expect(ids.get('Pleural_Thickening')).toBe('pleural thickening');
    expect(ids.size).toBe(14);
    expect(openiReportText({ uid: '1', comparison: 'None.', findings: 'Clear.' })).toBe(
      'COMPARISON: None.\nFINDINGS: Clear.',
    );
  });
});
