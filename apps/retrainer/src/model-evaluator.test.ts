import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@radflow/config';
import type { TrainingExample } from '@radflow/feedback';
import { ModelHandle } from '@radflow/model-runtime';
import { evaluationSets, modelOutputs, type EvaluationInputs, type ModelOutputs } from './model-evaluator.ts';

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

// A routed model answers each task with that task's adapter: held-out feedback, generated from its stored prompt,
// must be too (else a radiologist's impression adapter is never what the gate scores). routed-tiny's two random
// adapters give different greedy answers; its manifest is changed here so that the impression is adapter 1's.
describe('modelOutputs on a model with routed adapters', () => {
  it("generates held-out feedback with the task's adapter, as runTask does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radflow-routed-eval-'));
    cpSync(join(repoRoot, 'libs/model-runtime/test-fixtures/routed-tiny'), dir, { recursive: true });
    const manifestPath = join(dir, 'radflow-model.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { adapters: { tasks: object } };
    manifest.adapters.tasks = { ...manifest.adapters.tasks, impression: 1 };
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const findings = 'Heart size is enlarged. Small left pleural effusion.';
    const handle = await ModelHandle.load(dir, { threads: 1 });
    try {
      const prompt = handle.prompt('impression', { findings });
      const answer = async (adapter: number) =>
        (
          await handle.generate(prompt, {
            deadlineMs: 30_000,
            adapter,
            maxNewTokens: 12,
            noRepeatWordNgram: 3,
          })
        ).text;
      const [withGeneral, withTask] = [await answer(0), await answer(1)];
      // The precondition that makes this test able to fail: the two adapters answer differently.
      expect(withTask).not.toBe(withGeneral);
      const heldOut: TrainingExample = { ...example('impression', 'Cardiomegaly.'), prompt };
      const outputs = await modelOutputs(
        dir,
        {
          fixed: {
            labelIds: ['cardiomegaly'],
            examples: [
              { id: '1', findings, reportText: `FINDINGS: ${findings}`, impression: 'x', goldLabels: {} },
            ],
          },
          feedback: [heldOut],
        },
        { maxNewTokens: 12, threads: 1 },
      );
      expect(outputs.feedback.get(heldOut)).toBe(withTask.trim());
      expect(outputs.fixedImpressions[0]).toBe(withTask.trim());
    } finally {
      await handle.drainAndRelease();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
