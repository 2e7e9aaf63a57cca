import { describe, expect, it } from 'vitest';
import { labelTaskReport, parseModelLabels, presentAssignment } from './label-answers.ts';

describe('label answers', () => {
  it('writes the label-task report as the trainer does', () => {
    expect(labelTaskReport({ findings: ' Lungs  clear. ', impression: '' })).toBe('FINDINGS: Lungs clear.');
    expect(labelTaskReport({ findings: 'A.', impression: 'B.' })).toBe('FINDINGS: A.\nIMPRESSION: B.');
  });

  it('parses model label answers and rejects unknown labels', () => {
    expect(parseModelLabels('abnormality_labels', 'pleural effusion, cardiomegaly')).toEqual([
      'cardiomegaly',
      'pleural effusion',
    ]);
    expect(parseModelLabels('abnormality_labels', 'none')).toEqual([]);
    expect(parseModelLabels('abnormality_labels', 'broken heart')).toBeNull();
    expect(parseModelLabels('device_labels', 'picc')).toEqual(['picc']);
  });

  it('marks the given ids present', () => {
    expect(presentAssignment(['edema', 'picc'])).toEqual({ edema: 'present', picc: 'present' });
    expect(presentAssignment([])).toEqual({});
  });
});
