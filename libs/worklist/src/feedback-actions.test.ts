import { describe, expect, it } from 'vitest';
import { feedbackForAction, parseReviewAction, ReviewActionError } from './feedback-actions.ts';
import { sampleEnriched } from './rows.test.ts';

const who = {
  reviewerId: 'dr-house',
  feedbackId: '6f1c7f9e-8a51-4a8e-9d5e-2f0a3b1c4d5e',
  submittedAt: '2025-01-10T10:00:00.000Z',
};

describe('feedback for worklist actions', () => {
  it('accept: every draft output accepted, attributed, with the model and the idempotency key', () => {
    const payload = feedbackForAction({ kind: 'accept' }, sampleEnriched, who);
    expect(payload).toMatchObject({
      feedbackId: who.feedbackId,
      accession: 'ACC1',
      reportVersion: 'final:1',
      source: 'explicit',
      reviewerId: 'dr-house',
      model: { name: 'radflow-cxr-small', version: '0.2.0' },
      submittedAt: who.submittedAt,
    });
    expect(payload.outputs.map((o) => `${o.output}:${o.verdict}`)).toEqual([
      'priority:accept',
      'impression:accept',
      'abnormalities:accept',
      'devices:accept',
    ]);
    expect(payload.outputs[2]!.draftLabels).toHaveLength(3);
  });

  it('edit: the draft and the corrected impression; an edit that changes no word is an accept', () => {
    const edited = feedbackForAction(
      { kind: 'edit', impression: 'Tension pneumothorax.' },
      sampleEnriched,
      who,
    );
    expect(edited.outputs).toEqual([
      {
        output: 'impression',
        verdict: 'edit',
        draftText: 'Large right pneumothorax.',
        correctedText: 'Tension pneumothorax.',
      },
    ]);
    const same = feedbackForAction(
      { kind: 'edit', impression: 'large  right pneumothorax.' },
      sampleEnriched,
      who,
    );
    expect(same.outputs[0]!.verdict).toBe('accept');
  });

  it('reject: the draft impression with the reason as the comment, or the labels when there is no draft', () => {
    expect(feedbackForAction({ kind: 'reject', reason: 'wrong side' }, sampleEnriched, who).outputs).toEqual([
      {
        output: 'impression',
        verdict: 'reject',
        draftText: 'Large right pneumothorax.',
        comment: 'wrong side',
      },
    ]);
    const noDraft = {
      ...sampleEnriched,
      enrichment: { ...sampleEnriched.enrichment, draftImpression: undefined, degraded: true },
    };
    expect(feedbackForAction({ kind: 'reject' }, noDraft, who).outputs[0]).toMatchObject({
      output: 'abnormalities',
      verdict: 'reject',
    });
    expect(() => feedbackForAction({ kind: 'edit', impression: 'x' }, noDraft, who)).toThrow(
      ReviewActionError,
    );
  });

  it('parses request bodies and refuses anything else', () => {
    expect(parseReviewAction({ action: 'accept' })).toEqual({ kind: 'accept' });
    expect(parseReviewAction({ action: 'edit', impression: '  New. ' })).toEqual({
      kind: 'edit',
      impression: 'New.',
    });
    expect(parseReviewAction({ action: 'reject', reason: ' ' })).toEqual({ kind: 'reject' });
    expect(parseReviewAction({ action: 'reject', reason: 'why' })).toEqual({ kind: 'reject', reason: 'why' });
    for (const bad of [
      {},
      null,
      { action: 'edit' },
      { action: 'edit', impression: ' ' },
      { action: 'delete' },
      { action: 'reject', reason: 'x'.repeat(2001) },
    ])
      expect(() => parseReviewAction(bad)).toThrow(ReviewActionError);
  });
});
