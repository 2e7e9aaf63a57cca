import { describe, expect, it } from 'vitest';
import { buildImpressionTable } from './tables.ts';

describe('tables', () => {
  it('builds the impression table with one row per subset and metric', () => {
    const ci = { estimate: 0.5, lower: 0.4, upper: 0.6, resamples: 10, level: 0.95 };
    const metrics = { rougeL: ci, bleu1: ci, f1: ci, precision: ci, recall: ci };
    const table = buildImpressionTable({
      counts: { all: 2, normal: 0, abnormal: 2 },
      skipped: { empty: 0, noFindings: 0, noImpression: 0 },
      baseline: { impression: 'x', source: 'evaluated reports' },
      systems: { model: { all: metrics, normal: null, abnormal: metrics } },
      rougeStemmer: false,
    });
    expect(table.headers).toEqual(['subset / metric', 'model']);
    expect(table.rows).toHaveLength(15);
    expect(table.rows[0]).toEqual(['all (n=2) ROUGE-L', '50.00 [40.00, 60.00]']);
    expect(table.rows[5]).toEqual(['normal (n=0) ROUGE-L', '—']);
  });
});
