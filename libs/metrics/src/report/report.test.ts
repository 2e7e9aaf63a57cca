import { describe, expect, it } from 'vitest';
import type { ConfidenceInterval } from '../bootstrap.ts';
import { formatInterval, formatNumber, renderTextTable } from './format.ts';
import { renderBarChartSvg, renderHtmlReport } from './html.ts';

const ci = (estimate: number, lower: number, upper: number): ConfidenceInterval => ({
  estimate,
  lower,
  upper,
  resamples: 1000,
  level: 0.95,
});

describe('formatting', () => {
  it('shows an interval as a percentage with its bounds', () => {
    expect(formatInterval(ci(0.90654, 0.898, 0.9143))).toBe('90.65 [89.80, 91.43]');
    expect(formatInterval(null)).toBe('—');
    expect(formatNumber(0.5, { digits: 1 })).toBe('50.0');
    expect(formatNumber(Number.NaN)).toBe('—');
  });

  it('aligns a text table', () => {
    expect(
      renderTextTable({
        headers: ['metric', 'model'],
        rows: [
          ['ROUGE-L', '48.10'],
          ['F1', '9.00'],
        ],
      }),
    ).toBe(['metric   model', '-------  -----', 'ROUGE-L  48.10', 'F1        9.00'].join('\n'));
  });
});

describe('html report', () => {
  it('draws one bar and one whisker per value and escapes text', () => {
    const svg = renderBarChartSvg({
      title: 'Impression <all>',
      series: [{ name: 'model' }, { name: 'baseline' }],
      groups: [
        { label: 'ROUGE-L', values: [ci(0.5, 0.45, 0.55), ci(0.3, 0.25, 0.35)] },
        { label: 'BLEU-1', values: [ci(0.4, 0.35, 0.45), null] },
      ],
    });
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(3);
    expect(svg).toContain('Impression &lt;all&gt;');
    expect(svg).not.toContain('<all>');
  });

  it('makes a self-contained page', () => {
    const html = renderHtmlReport({
      title: 'eval',
      sections: [{ heading: 'labels', notes: ['a & b'], tables: [{ headers: ['x'], rows: [['<1>']] }] }],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('a &amp; b');
    expect(html).toContain('&lt;1&gt;');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
