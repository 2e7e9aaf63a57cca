import { describe, expect, it } from 'vitest';
import { checkSignedImpressions } from './draft-check.ts';

describe('checkSignedImpressions', () => {
  it('counts the signed impressions the draft check would change, and why', () => {
    const summary = checkSignedImpressions([
      { uid: '1', findings: 'Heart size normal. Lungs are clear.', impression: 'No acute disease.' },
      {
        uid: '2',
        findings: 'Small residual left apical pneumothorax, slightly larger. No consolidation.',
        impression: 'No acute cardiopulmonary abnormality.',
      },
      {
        uid: '3',
        findings: 'The heart is normal in size. Lungs clear.',
        impression: 'Cardiomegaly, no effusion.',
      },
      { uid: '4', findings: '', impression: 'Normal chest.' },
    ]);
    expect(summary.checked).toBe(3);
    expect(summary.changed).toBe(2);
    expect(summary.edits).toEqual({
      'critical-finding-added: pneumothorax': 1,
      'unsupported-finding-removed: cardiomegaly': 1,
    });
    expect(summary.rows.map((r) => [r.uid, r.checked])).toEqual([
      ['2', 'Small residual left apical pneumothorax, slightly larger.'],
      ['3', ''],
    ]);
  });
});
