import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, splitOfAccession } from './dataset-split.ts';
import { feedbackRecords, type StoredFeedbackRecord } from './feedback-record.ts';
import { trainingSet } from './training-set.ts';

/** An edited impression for each of `count` accessions, stored in order; the first also corrects the priority. */
function storedFeedback(count: number): StoredFeedbackRecord[] {
  return Array.from({ length: count }, (_, i) =>
    feedbackRecords({
      feedbackId: `f-${i}`,
      accession: `ACC-${i}`,
      source: 'explicit',
      reviewerId: 'rad-1',
      submittedAt: '2025-01-01T00:00:00Z',
      report: { findings: 'The heart is normal in size. The lungs are clear.' },
      outputs: [
        { output: 'impression', verdict: 'edit', correctedText: `Finding number ${i}.` },
        ...(i === 0
          ? [{ output: 'priority' as const, verdict: 'edit' as const, correctedPriority: 'stat' as const }]
          : []),
      ],
    }),
  )
    .flat()
    .map((record, sequence) => ({ ...record, sequence: sequence + 1 }));
}

// Enough accessions that both sides of a 50% hold-out are non-empty.
const split = { ...DEFAULT_SPLIT, evalPercent: 50 };
const records = storedFeedback(20);

describe('trainingSet', () => {
  it('splits by accession, counts what the trainer and the gate get, and hashes the files', () => {
    const set = trainingSet(records, { split });
    const held = Array.from({ length: 20 }, (_, i) => `ACC-${i}`).filter(
      (accession) => splitOfAccession(accession, split) === 'eval',
    ).length;
    expect(held).toBeGreaterThan(0);
    expect(set.heldOut).toHaveLength(held);
    expect(set.trainExamples).toBe(20 - held);
    expect(set.counts).toMatchObject({
      records: 21,
      train: { impression: 20 - held },
      eval: { impression: held },
      skipped: { 'not-trainable-output': 1 },
    });
    expect(set.snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(trainingSet(records, { split }).snapshot.hash).toBe(set.snapshot.hash);
  });

  it('permutes the training answers for a control run and leaves the held-out set alone', () => {
    const plain = trainingSet(records, { split });
    const shuffled = trainingSet(records, { split, shuffleTargetsSeed: 7 });
    expect(shuffled.snapshot.hash).not.toBe(plain.snapshot.hash);
    expect(shuffled.heldOut).toEqual(plain.heldOut);
    expect(shuffled.trainExamples).toBe(plain.trainExamples);
  });

  it('has nothing to train on without trainable feedback', () => {
    expect(trainingSet([])).toMatchObject({ trainExamples: 0, heldOut: [], counts: { records: 0 } });
  });
});
