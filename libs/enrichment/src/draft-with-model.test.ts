import { describe, expect, it } from 'vitest';
import type { RadiologyReport } from '@radflow/schemas';
import { draftWithModel, type TaskAnswer, type TaskRunner } from './draft-with-model.ts';

const model = { name: 'radflow-cxr-small', version: '0.1.0' };
const report = {
  text: 'FINDINGS: Left effusion. IMPRESSION: Effusion.',
  sections: { findings: 'Left effusion.' },
} as unknown as RadiologyReport;
const prior = { text: 'FINDINGS: Clear lungs.', sections: {} } as unknown as RadiologyReport;

/** Answers each task from a table and records what it was asked: a stand-in for the model in a pure test. */
function scriptedRunner(answers: Record<string, TaskAnswer['answer']>) {
  const asked: { task: string; inputs: Record<string, string> }[] = [];
  const runner: TaskRunner = {
    runTask: async (task, inputs) => {
      asked.push({ task, inputs });
      return { model, answer: answers[task] ?? null };
    },
  };
  return { runner, asked };
}

describe('draftWithModel', () => {
  it('keeps the draft when only the comparison fails', async () => {
    const runner: TaskRunner = {
      runTask: async (task) => {
        if (task.startsWith('temporal')) throw new Error('prompt too long');
        return { model, answer: task === 'impression' ? { format: 'text', text: 'Effusion.' } : null };
      },
    };
    const draft = await draftWithModel(runner, report, prior, 1000);
    expect(draft.draftImpression).toBe('Effusion.');
    expect(draft.temporal).toBeUndefined();
  });

  it('fails as a whole when a core task fails, so the enricher falls back to rules', async () => {
    const runner: TaskRunner = { runTask: async () => Promise.reject(new Error('model deadline exceeded')) };
    await expect(draftWithModel(runner, report, undefined, 1000)).rejects.toThrow(/deadline/);
  });

  it('asks for the impression from the findings and the labels from the whole report', async () => {
    const { runner, asked } = scriptedRunner({
      impression: { format: 'text', text: 'Left pleural effusion.' },
      abnormality_labels: {
        format: 'labels',
        labels: ['pleural effusion'],
        vocabulary: { name: 'a', version: '1' },
      },
      device_labels: { format: 'labels', labels: [], vocabulary: { name: 'd', version: '1' } },
    });
    const draft = await draftWithModel(runner, report, undefined, 1000);
    expect(draft).toEqual({
      model,
      draftImpression: 'Left pleural effusion.',
      abnormalities: ['pleural effusion'],
      devices: [],
    });
    expect(asked.map((a) => a.task)).toEqual(['impression', 'abnormality_labels', 'device_labels']);
    expect(asked[0]!.inputs).toEqual({ findings: 'Left effusion.' });
    expect(asked[1]!.inputs.report).toBe('FINDINGS: Left effusion.');
  });

  it('adds the temporal tasks when there is a prior report', async () => {
    const { runner, asked } = scriptedRunner({
      temporal_findings: { format: 'added_removed', added: ['effusion'], removed: [] },
      temporal_progression: {
        format: 'progression',
        progression: [{ finding: 'effusion', progression: 'new' }],
      },
    });
    const draft = await draftWithModel(runner, report, prior, 1000);
    expect(asked.find((a) => a.task === 'temporal_findings')?.inputs.priorReport).toBe(
      'FINDINGS: Clear lungs.',
    );
    expect(asked.find((a) => a.task === 'temporal_findings')?.inputs.report).toBe('Left effusion.');
    expect(draft.temporal).toEqual({
      added: ['effusion'],
      removed: [],
      changed: [{ finding: 'effusion', progression: 'new' }],
    });
    expect(draft.draftImpression).toBeUndefined();
    expect(draft.abnormalities).toEqual([]);
  });
});
