import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RuleLabelInputError, runRuleLabels } from './rule-labels.ts';

async function labelLines(lines: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  await runRuleLabels(Readable.from(lines.join('\n')), (line) => out.push(JSON.parse(line)));
  return out;
}

describe('radflow rule-labels', () => {
  it('answers each line with the labels the rules find present, in vocabulary order', async () => {
    const out = await labelLines([
      JSON.stringify({
        id: 'a',
        findings: 'The heart is enlarged. Small left pleural effusion.',
        impression: '',
      }),
      '',
      JSON.stringify({
        id: 'b',
        findings: 'No pleural effusion or pneumothorax.',
        impression: 'Normal chest.',
      }),
    ]);
    expect(out).toEqual([
      { id: 'a', labels: ['cardiomegaly', 'pleural effusion'] },
      { id: 'b', labels: [] },
    ]);
  });

  it('leaves out a label the rules call uncertain', async () => {
    const [answer] = await labelLines([
      JSON.stringify({ id: 'c', findings: 'Possible right lower lobe pneumonia.', impression: '' }),
    ]);
    expect(answer).toEqual({ id: 'c', labels: [] });
  });

  it('stops at a line that is not a request, naming the line', async () => {
    const bad = labelLines([JSON.stringify({ id: 'a', findings: 'x', impression: '' }), '{"id": 3}']);
    await expect(bad).rejects.toBeInstanceOf(RuleLabelInputError);
    await expect(bad).rejects.toThrow(/line 2: needs string fields/);
  });
});
