import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPrompt } from '@radflow/prompts';
import { accessionKey, splitOfAccession } from './dataset-split.ts';
import { datasetSnapshot, shuffleTargets, type DatasetLine } from './dataset.ts';
import type { StoredFeedbackRecord } from './feedback-record.ts';
import { trainingExamples } from './training-examples.ts';

let sequence = 0;
function record(overrides: Partial<StoredFeedbackRecord>): StoredFeedbackRecord {
  return {
    sequence: ++sequence,
    feedbackId: `f-${sequence}`,
    accession: 'ACC-1',
    reportVersion: 'v1',
    source: 'explicit',
    reviewerId: 'rad-1',
    output: 'impression',
    verdict: 'accept',
    model: { name: 'm', version: '1' },
    draftText: 'No acute cardiopulmonary abnormality.',
    correctedText: null,
    draftLabels: null,
    correctedLabels: null,
    correctedPriority: null,
    findings: 'The heart is normal in size. The lungs are clear.',
    reportText: 'FINDINGS: The heart is normal in size. The lungs are clear.\nIMPRESSION: Normal.',
    submittedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('trainingExamples', () => {
  it('writes the paper format with the runtime prompt, the accepted draft or the correction as the answer', () => {
    const { examples } = trainingExamples([
      record({ accession: 'A1' }),
      record({ accession: 'A2', verdict: 'edit', correctedText: 'Mild cardiomegaly.' }),
    ]);
    expect(examples).toHaveLength(2);
    const byAnswer = Object.fromEntries(examples.map((e) => [e.answer, e]));
    const accepted = byAnswer['No acute cardiopulmonary abnormality.']!;
    expect(accepted.prompt).toBe(
      buildPrompt('impression', { findings: 'The heart is normal in size. The lungs are clear.' }),
    );
    expect(accepted.text).toBe(`${accepted.prompt}No acute cardiopulmonary abnormality.<endoftext>`);
    expect(accepted.text.startsWith('<instruct>')).toBe(true);
    expect(accepted.text).toContain('\n<output>No acute');
    expect(byAnswer['Mild cardiomegaly.']).toBeDefined();
    expect(accepted.uid).toBe(accessionKey('A1'));
    expect(accepted.uid).not.toContain('A1');
  });

  it('scrubs PHI from inputs and answers before they reach an example', () => {
    const { examples, scrubbed } = trainingExamples([
      record({
        findings: 'Heart normal. Discussed with Dr. Alice Walker on 03/04/2024, MRN 12345678.',
        verdict: 'edit',
        correctedText: 'Normal. Called to Dr. Bob Stone at 555-123-4567.',
      }),
    ]);
    const text = examples[0]!.text;
    for (const secret of ['Alice', 'Walker', '03/04/2024', '12345678', 'Bob', 'Stone', '555-123-4567'])
      expect(text).not.toContain(secret);
    expect(text).toContain('Dr. XXXX');
    expect(scrubbed).toEqual({ name: 2, date: 1, identifier: 1, phone: 1 });
  });

  it('turns label verdicts into the vocabulary answer format, uncertain listed, absent not', () => {
    const { examples, skipped } = trainingExamples([
      record({
        accession: 'L1',
        output: 'abnormalities',
        verdict: 'edit',
        correctedLabels: [
          { label: 'pleural effusion', state: 'uncertain' },
          { label: 'cardiomegaly', state: 'present' },
          { label: 'pneumothorax', state: 'absent' },
        ],
      }),
      record({ accession: 'L2', output: 'devices', verdict: 'accept', draftLabels: [] }),
      record({
        accession: 'L3',
        output: 'abnormalities',
        verdict: 'edit',
        correctedLabels: [{ label: 'broken heart', state: 'present' }],
      }),
    ]);
    const labels = examples.find((e) => e.task === 'abnormality_labels')!;
    expect(labels.answer).toBe('cardiomegaly, pleural effusion');
    expect(labels.prompt).toBe(buildPrompt('abnormality_labels', { report: record({}).reportText! }));
    expect(examples.find((e) => e.task === 'device_labels')!.answer).toBe('none');
    expect(skipped).toEqual({ 'unknown-label': 1 });
  });

  it('keeps only the latest verdict per accession and task, and says why others teach nothing', () => {
    const { examples, skipped } = trainingExamples([
      record({ accession: 'S1', verdict: 'edit', correctedText: 'First.' }),
      record({ accession: 'S1', verdict: 'edit', correctedText: 'Second.' }),
      record({ accession: 'S2', verdict: 'reject' }),
      record({ accession: 'S3', output: 'priority', verdict: 'edit', correctedPriority: 'stat' }),
      record({ accession: 'S4', findings: null }),
      record({ accession: 'S5', verdict: 'accept', draftText: null }),
    ]);
    expect(examples.map((e) => e.answer)).toEqual(['Second.']);
    expect(skipped).toEqual({
      superseded: 1,
      'rejected-without-correction': 1,
      'not-trainable-output': 1,
      'no-input-text': 1,
      'no-target': 1,
    });
  });

  it('never splits one accession across train and eval, whatever the feedback order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 40 }),
            fc.constantFrom('impression', 'abnormalities', 'devices'),
          ),
          { maxLength: 60 },
        ),
        (items) => {
          const records = items.map(([n, output]) =>
            record({
              accession: `ACC-${n}`,
              output: output as StoredFeedbackRecord['output'],
              verdict: 'accept',
              draftLabels: [],
            }),
          );
          const { examples } = trainingExamples(records);
          const splitOfUid = new Map<string, string>();
          for (const e of examples) {
            expect(splitOfUid.get(e.uid) ?? e.split).toBe(e.split);
            splitOfUid.set(e.uid, e.split);
          }
        },
      ),
    );
  });
});

describe('splitOfAccession', () => {
  it('is stable and holds out about the share asked for', () => {
    const accessions = Array.from({ length: 4000 }, (_, i) => `ACC${i}`);
    const evalShare = accessions.filter((a) => splitOfAccession(a) === 'eval').length / accessions.length;
    expect(evalShare).toBeGreaterThan(0.17);
    expect(evalShare).toBeLessThan(0.23);
    expect(accessions.map((a) => splitOfAccession(a))).toEqual(accessions.map((a) => splitOfAccession(a)));
    expect(splitOfAccession('ACC1', { evalPercent: 0, salt: 's' })).toBe('train');
    expect(splitOfAccession('ACC1', { evalPercent: 100, salt: 's' })).toBe('eval');
    expect(() => splitOfAccession('ACC1', { evalPercent: 101, salt: 's' })).toThrow(RangeError);
  });
});

describe('datasetSnapshot', () => {
  const { examples } = trainingExamples(
    Array.from({ length: 30 }, (_, i) => [
      record({ accession: `D${i}`, verdict: 'edit', correctedText: `Impression ${i}.` }),
      record({
        accession: `D${i}`,
        output: 'abnormalities',
        verdict: 'accept',
        draftLabels: [{ label: 'cardiomegaly', state: i % 2 ? 'present' : 'absent' }],
      }),
    ]).flat(),
  );

  it('writes one JSON-lines file per split and task, with a hash that depends only on the content', () => {
    const snapshot = datasetSnapshot(examples);
    expect(
      Object.keys(snapshot.files).every((p) =>
        /^(train|eval)\/(impression|abnormality_labels)\.jsonl$/.test(p),
      ),
    ).toBe(true);
    const lines = Object.values(snapshot.files).flatMap((c) =>
      c
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DatasetLine),
    );
    expect(lines).toHaveLength(60);
    expect(lines.every((l) => l.text === `${l.prompt}${l.answer}<endoftext>`)).toBe(true);
    const total = (s: 'train' | 'eval') =>
      Object.values(snapshot.counts[s]).reduce((a, b) => a + (b ?? 0), 0);
    expect(total('train') + total('eval')).toBe(60);
    expect(datasetSnapshot([...examples].reverse()).hash).toBe(snapshot.hash);
    expect(datasetSnapshot(examples.slice(1)).hash).not.toBe(snapshot.hash);
    expect(snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shuffles answers across the training split only, keeping the format', () => {
    const shuffled = shuffleTargets(examples, 7);
    expect(shuffled.filter((e) => e.split === 'eval')).toEqual(examples.filter((e) => e.split === 'eval'));
    const train = examples.filter((e) => e.split === 'train');
    const moved = shuffled.filter((e, i) => e.split === 'train' && e.answer !== examples[i]!.answer).length;
    expect(moved).toBeGreaterThan(train.length / 2);
    expect(shuffled.map((e) => e.answer).sort()).toEqual(examples.map((e) => e.answer).sort());
    expect(shuffled.every((e) => e.text === `${e.prompt}${e.answer}<endoftext>`)).toBe(true);
  });
});
