import { describe, expect, it } from 'vitest';
import { repeatedNgram } from './repetition.ts';

describe('repeatedNgram', () => {
  it('finds a repeated 3-word phrase across sentences and list numbers', () => {
    expect(
      repeatedNgram('1. No acute findings. 2. Left lower lobe pneumonia. 3. Left lower lobe pneumonia.'),
    ).toBe('left lower lobe');
  });

  it('is null for an impression without repetition, and for texts shorter than two n-grams', () => {
    expect(repeatedNgram('No acute cardiopulmonary abnormality. Stable mild cardiomegaly.')).toBeNull();
    expect(repeatedNgram('No acute')).toBeNull();
    expect(repeatedNgram('')).toBeNull();
  });

  it('counts the n asked for', () => {
    expect(repeatedNgram('small left effusion and small left effusion', 4)).toBeNull();
    expect(repeatedNgram('small left effusion and small left effusion', 3)).toBe('small left effusion');
  });
});
