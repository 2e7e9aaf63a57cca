import { describe, expect, it } from 'vitest';
import { candidateVersion } from './candidate-version.ts';

describe('candidateVersion', () => {
  const at = new Date('2025-06-01T12:34:56.789Z');

  it('names a fine-tune after its base, the start time to the second and the run', () => {
    expect(candidateVersion('0.3.0', at, 'abcdef01-2345-6789')).toBe('0.3.0-ft.20250601T123456Z.abcdef01');
  });

  it('keeps the base version of a fine-tune of a fine-tune, not a growing chain', () => {
    const first = candidateVersion('0.3.0', at, 'aaaaaaaa-1');
    expect(candidateVersion(first, new Date('2025-06-02T00:00:00Z'), 'bbbbbbbb-2')).toBe(
      '0.3.0-ft.20250602T000000Z.bbbbbbbb',
    );
  });
});
