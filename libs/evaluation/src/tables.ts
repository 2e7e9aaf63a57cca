import {
  formatInterval,
  TEXT_METRICS,
  type ConfidenceInterval,
  type TextMetric,
  type TextTable,
} from '@radflow/metrics';
import type { LabelSystemResult } from './label-systems.ts';
import type { ImpressionResults, LabelTaskResults } from './results.ts';
import { SUBSETS } from './subsets.ts';

export const METRIC_NAMES: Record<TextMetric, string> = {
  rougeL: 'ROUGE-L',
  bleu1: 'BLEU-1',
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
};

/** Impression table: one row per subset and metric, one column per system. */
export function buildImpressionTable(results: ImpressionResults): TextTable {
  const systems = Object.keys(results.systems);
  const rows: string[][] = [];
  for (const subset of SUBSETS) {
    for (const metric of TEXT_METRICS) {
      rows.push([
        `${subset} (n=${results.counts[subset]}) ${METRIC_NAMES[metric]}`,
        ...systems.map((s) => formatInterval(results.systems[s]![subset]?.[metric])),
      ]);
    }
  }
  return { headers: ['subset / metric', ...systems], rows };
}

/** Label table: micro P/R/F1 and macro F1 per subset, one column per system. */
export function buildLabelSummaryTable(results: LabelTaskResults): TextTable {
  const systems = Object.keys(results.systems);
  const rows: string[][] = [];
  for (const subset of SUBSETS) {
    const pick: [string, (r: LabelSystemResult) => ConfidenceInterval][] = [
      ['micro P', (r) => r.intervals.micro.precision],
      ['micro R', (r) => r.intervals.micro.recall],
      ['micro F1', (r) => r.intervals.micro.f1],
      ['macro F1', (r) => r.intervals.macro.f1],
    ];
    for (const [name, get] of pick) {
      rows.push([
        `${subset} (n=${results.counts[subset]}) ${name}`,
        ...systems.map((s) => {
          const r = results.systems[s]![subset];
          // With no reference positives in a subset, recall and F1 are undefined: show only precision there.
          if (!r || (r.scores.micro.tp + r.scores.micro.fn === 0 && name !== 'micro P')) return '—';
          return formatInterval(get(r));
        }),
      ]);
    }
  }
  return { headers: ['subset / metric', ...systems], rows };
}

/** Per-label F1 (all reports), one column per system. */
export function buildPerLabelTable(results: LabelTaskResults): TextTable {
  const systems = Object.keys(results.systems);
  return {
    headers: ['label', 'support', ...systems.map((s) => `${s} F1`)],
    rows: results.labels.map((label, j) => {
      const first = results.systems[systems[0]!]!.all;
      const support = first?.scores.perLabel[j]?.support ?? 0;
      return [
        label,
        String(support),
        ...systems.map((s) => {
          const r = results.systems[s]!.all;
          if (!r) return '—';
          return support === 0
            ? `— (${r.scores.perLabel[j]!.fp} FP)`
            : formatInterval(r.intervals.perLabelF1[label]);
        }),
      ];
    }),
  };
}
