import { describe, expect, it } from 'vitest';
import type { TrainingExample } from '@radflow/feedback';
import { evaluationSets, type EvaluationInputs, type ModelOutputs } from './model-evaluator.ts';

const example = (task: TrainingExample['task'], answer: string): TrainingExample => ({
  uid: `u-${task}-${answer}`,
  task,
  split: 'eval',
  prompt: `prompt ${task}`,
  answer,
  text: '',
  source: 'explicit',
  draftModel: null,
});

describe('evaluationSets', () => {
  const impression = example('impression', 'Cardiomegaly.');
  const labels = example('abnormality_labels', 'pleural effusion, cardiomegaly');
  const unparseable = example('abnormality_labels', 'broken heart');
  const devices = example('device_labels', 'picc');
  const inputs: EvaluationInputs = {
    fixed: {
      labelIds: ['cardiomegaly'],
      examples: [
        {
          id: '1',
          findings: 'Enlarged heart.',
          reportText: 'FINDINGS: Enlarged heart.',
          impression: 'Cardiomegaly.',
          goldLabels: { cardiomegaly: 'present' },
        },
      ],
    },
    feedback: [impression, labels, unparseable, devices],
  };
  const outputs = (draft: string, found: string[]): ModelOutputs => ({
    fixedImpressions: [draft],
    fixedLabels: [{ cardiomegaly: 'present' }],
    feedback: new Map<TrainingExample, string | string[]>([
      [impression, draft],
      [labels, found],
      [unparseable, []],
      [devices, ['picc']],
    ]),
  });

  it('pairs both models with the references per set, reading feedback labels as `radflow eval` does', () => {
    const sets = evaluationSets(inputs, outputs('Cardiomegaly.', ['cardiomegaly']), outputs('Normal.', []));
    expect(sets.map((s) => s.name)).toEqual(['fixed', 'feedback', 'feedback-devices']);
    expect(sets[1]!.impressions).toEqual({
      references: ['Cardiomegaly.'],
      candidate: ['Cardiomegaly.'],
      current: ['Normal.'],
    });
    // an answer that does not parse is gold "no labels"
    expect(sets[1]!.labels!.gold).toEqual([{ cardiomegaly: 'present', 'pleural effusion': 'present' }, {}]);
    expect(sets[1]!.labels!.candidate).toEqual([{ cardiomegaly: 'present' }, {}]);
    expect(sets[1]!.labels!.current).toEqual([{}, {}]);
    expect(sets[2]!.labels!.gold).toEqual([{ picc: 'present' }]);
  });
});
