import { describe, expect, it } from 'vitest';
import { describeOutcomeIssues, operationOutcomeIssues } from './operation-outcome.ts';

const outcome = (issue: unknown[]) => ({ resourceType: 'OperationOutcome', issue });

describe('operationOutcomeIssues', () => {
  it('keeps the issue codes, diagnostics (or details.text) and expressions', () => {
    expect(
      operationOutcomeIssues(
        outcome([
          {
            severity: 'error',
            code: 'invariant',
            diagnostics: 'Missing required property',
            expression: ['Task.status'],
          },
          { severity: 'warning', code: 'not-found', details: { text: 'Not found' } },
          {},
        ]),
      ),
    ).toEqual([
      {
        severity: 'error',
        code: 'invariant',
        diagnostics: 'Missing required property',
        expression: ['Task.status'],
      },
      { severity: 'warning', code: 'not-found', diagnostics: 'Not found' },
      { severity: 'error', code: 'unknown' },
    ]);
  });

  it('keeps element names but drops echoed values, which may be PHI', () => {
    const [issue] = operationOutcomeIssues(
      outcome([
        {
          severity: 'error',
          code: 'invariant',
          details: { text: 'Invalid value "John Smith, MRN 12345" for "Patient.name"' },
          expression: ['Patient.name[0]'],
        },
      ]),
    )!;
    expect(issue!.diagnostics).toBe('Invalid value "…" for "Patient.name"');
    expect(JSON.stringify(issue)).not.toContain('12345');
  });

  it('bounds what it keeps: ten issues, 300 characters of text, three expressions', () => {
    const many = Array.from({ length: 15 }, () => ({
      code: 'processing',
      diagnostics: 'x'.repeat(1000),
      expression: ['a', 'b', 'c', 'd'],
    }));
    const issues = operationOutcomeIssues(outcome(many))!;
    expect(issues).toHaveLength(10);
    expect(issues[0]!.diagnostics).toHaveLength(300);
    expect(issues[0]!.expression).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['an HTML page', '<html>bad gateway</html>'],
    ['another resource', { resourceType: 'Bundle', issue: [] }],
    ['an outcome without issues', { resourceType: 'OperationOutcome' }],
    ['nothing', undefined],
  ])('returns nothing for %s', (_, body) => expect(operationOutcomeIssues(body)).toBeUndefined());
});

describe('describeOutcomeIssues', () => {
  it('writes each issue as severity, code, text and where, in one line', () => {
    expect(
      describeOutcomeIssues([
        { severity: 'error', code: 'invariant', diagnostics: 'bad value', expression: ['Observation.value'] },
        { severity: 'warning', code: 'processing' },
      ]),
    ).toBe('error invariant: bad value at Observation.value; warning processing: ');
  });
});
