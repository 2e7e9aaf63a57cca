import { describe, expect, it } from 'vitest';
import { DEFAULT_SHADOW_POLICY, shadowVerdict } from '@radflow/feedback';
import { formatShadowStatus } from './model.ts';

describe('radflow model shadow', () => {
  it('prints the running comparison in points with its intervals, and the verdict so far', () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const scores = Array.from({ length: 120 }, (_, i) => {
      const serving = 0.4 + (i % 5) / 10;
      return {
        serving: { rougeL: serving, bleu1: serving, f1: serving },
        candidate: { rougeL: serving - 0.05, bleu1: serving - 0.05, f1: serving - 0.05 },
      };
    });
    const verdict = shadowVerdict(scores, { startedAt, now: new Date('2026-01-01T03:00:00Z') });
    const text = formatShadowStatus({
      name: 'radflow-cxr',
      candidateVersion: '0.3.1',
      servingVersion: '0.3.0',
      startedAt: startedAt.toISOString(),
      policy: DEFAULT_SHADOW_POLICY,
      verdict,
    });
    expect(text).toContain('radflow-cxr 0.3.1 in shadow beside 0.3.0 since 2026-01-01T00:00:00.000Z');
    expect(text).toContain('120 reports scored over 3.0 h; period: 100 reports and 24 h');
    expect(text).toMatch(
      / {2}rougeL {2}candidate 55\.0 \[[\d.]+, [\d.]+\] {2}serving 60\.0 \[[\d.]+, [\d.]+\] {2}difference -5\.0 \[-5\.0, -5\.0\] {2}WORSE/,
    );
    expect(text).toMatch(/verdict now: stop \(shadow rougeL \(n=120\)/);
  });
});
