import { describe, expect, it } from 'vitest';
import { EventValidator } from '@radflow/events';
import { feedbackPayloadFrom, InvalidFeedbackError } from './feedback-request.ts';

const valid = {
  accession: 'ACC-1',
  reviewerId: 'rad-42',
  outputs: [
    { output: 'impression', verdict: 'edit', correctedText: 'Mild cardiomegaly.' },
    {
      output: 'abnormalities',
      verdict: 'edit',
      correctedLabels: [{ label: 'cardiomegaly', state: 'present' }],
    },
    { output: 'devices', verdict: 'accept' },
  ],
};

/** The refusal's code and its issues, each as `<pointer> <detail>`. */
function problemsOf(body: unknown): { code: string; status: number; problems: string[] } {
  try {
    feedbackPayloadFrom(body);
  } catch (error) {
    if (error instanceof InvalidFeedbackError)
      return {
        code: error.code,
        status: error.getStatus(),
        problems: (error.problem.errors ?? []).map((issue) => `${issue.pointer} ${issue.detail}`),
      };
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('feedbackPayloadFrom', () => {
  it('completes a valid body into a rad.feedback.v1 payload that passes the event schema', () => {
    const payload = feedbackPayloadFrom(valid, new Date('2025-02-03T04:05:06Z'));
    expect(payload).toMatchObject({ ...valid, source: 'explicit', submittedAt: '2025-02-03T04:05:06.000Z' });
    expect(payload.feedbackId).toMatch(/^[0-9a-f-]{36}$/);
    const event = {
      id: crypto.randomUUID(),
      type: 'rad.feedback',
      schemaVersion: 1,
      sourceMessageId: payload.feedbackId,
      traceId: 't',
      producedAt: new Date().toISOString(),
      payload,
    };
    expect(() => new EventValidator().assertValidEvent(event)).not.toThrow();
    const given = feedbackPayloadFrom({ ...valid, feedbackId: '0b0e7e1e-8c8b-4d5e-9d1a-1f2e3d4c5b6a' });
    expect(given.feedbackId).toBe('0b0e7e1e-8c8b-4d5e-9d1a-1f2e3d4c5b6a');
  });

  it.each([
    ['no outputs', { ...valid, outputs: [] }, '/outputs'],
    [
      'an unknown verdict',
      { ...valid, outputs: [{ output: 'impression', verdict: 'maybe' }] },
      '/outputs/0/verdict',
    ],
    [
      'an edit without its correction',
      { ...valid, outputs: [{ output: 'impression', verdict: 'edit' }] },
      "must have required property 'correctedText'",
    ],
    [
      'a label edit without labels',
      { ...valid, outputs: [{ output: 'devices', verdict: 'edit' }] },
      "must have required property 'correctedLabels'",
    ],
    ['an unknown field', { ...valid, patientName: 'x' }, 'must NOT have additional properties'],
    [
      'a missing reviewer',
      { accession: 'A', outputs: valid.outputs },
      "must have required property 'reviewerId'",
    ],
    ['a bad id', { ...valid, feedbackId: 'not-a-uuid' }, '/feedbackId'],
  ])('refuses %s with the JSON path', (_, body, expected) => {
    const { code, status, problems } = problemsOf(body);
    expect([code, status]).toEqual(['INVALID_FEEDBACK', 400]);
    expect(problems.join('\n')).toContain(expected);
  });

  it('refuses labels outside the vocabulary, naming where they are', () => {
    const { code, problems } = problemsOf({
      ...valid,
      outputs: [
        {
          output: 'abnormalities',
          verdict: 'edit',
          correctedLabels: [
            { label: 'cardiomegaly', state: 'present' },
            { label: 'heartache', state: 'present' },
          ],
        },
      ],
    });
    expect(code).toBe('UNKNOWN_LABEL');
    expect(problems).toEqual(['/outputs/0/correctedLabels/1/label is not in the abnormalities vocabulary']);
  });
});
