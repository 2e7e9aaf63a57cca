import {
  renderHtmlReport,
  TEXT_METRICS,
  type BarChart,
  type ConfidenceInterval,
  type ReportSection,
} from '@radflow/metrics';
import type { EvalResults, LabelTaskResults } from './results.ts';
import { SUBSETS, type Subset } from './subsets.ts';
import { buildImpressionTable, buildLabelSummaryTable, buildPerLabelTable, METRIC_NAMES } from './tables.ts';

type ChartSystems = Record<string, Record<Subset, Record<string, ConfidenceInterval | null> | null>>;

function chartsFor(title: string, systems: ChartSystems, metrics: [string, string][]): BarChart[] {
  const names = Object.keys(systems);
  return SUBSETS.map((subset) => ({
    title: `${title} — ${subset}`,
    series: names.map((name) => ({ name })),
    groups: metrics.map(([key, label]) => ({
      label,
      values: names.map((n) => systems[n]![subset]?.[key] ?? null),
    })),
  }));
}

function labelChartSystems(results: LabelTaskResults): ChartSystems {
  const out: ChartSystems = {};
  for (const [name, bySubset] of Object.entries(results.systems)) {
    out[name] = Object.fromEntries(
      SUBSETS.map((subset) => {
        const r = bySubset[subset];
        const positives = r ? r.scores.micro.tp + r.scores.micro.fn : 0;
        return [
          subset,
          r
            ? {
                p: r.intervals.micro.precision,
                r: positives ? r.intervals.micro.recall : null,
                f1: positives ? r.intervals.micro.f1 : null,
                macro: positives ? r.intervals.macro.f1 : null,
              }
            : null,
        ];
      }),
    ) as Record<Subset, Record<string, ConfidenceInterval | null> | null>;
  }
  return out;
}

/** The HTML report: bar charts with 95% intervals and the tables. */
export function buildHtmlReport(results: EvalResults): string {
  const sections: ReportSection[] = [];
  const labelMetrics: [string, string][] = [
    ['p', 'micro P'],
    ['r', 'micro R'],
    ['f1', 'micro F1'],
    ['macro', 'macro F1'],
  ];
  if (results.impression) {
    sections.push({
      heading: 'Impression from findings',
      notes: [
        `Trivial baseline (${results.impression.baseline.source}): the most frequent impression. ROUGE-L without stemming; per-example means.`,
      ],
      charts: chartsFor(
        'Impression',
        results.impression.systems,
        TEXT_METRICS.map((m) => [m, METRIC_NAMES[m]]),
      ),
      tables: [{ caption: 'Impression metrics [95% CI]', ...buildImpressionTable(results.impression) }],
    });
  }
  for (const [key, heading] of [
    ['labels', 'Abnormality labels'],
    ['devices', 'Tubes, lines and devices labels'],
  ] as const) {
    const r = results[key];
    if (!r) continue;
    sections.push({
      heading,
      notes: [`Reference: ${r.reference}.`],
      charts: chartsFor(heading, labelChartSystems(r), labelMetrics),
      tables: [
        { caption: `${heading}: micro / macro [95% CI]`, ...buildLabelSummaryTable(r) },
        { caption: `${heading}: F1 per label, all reports`, ...buildPerLabelTable(r) },
      ],
    });
  }
  return renderHtmlReport({
    title: 'radflow eval',
    subtitle: `${results.reports} reports; model ${results.model ? `${results.model.name} ${results.model.version}` : 'none'}; rules ${results.rules.name} ${results.rules.version}; ${results.bootstrap.resamples} bootstrap resamples (seed ${results.bootstrap.seed}). Model outputs are AI-generated drafts.`,
    sections: [...sections, { heading: 'Notes', notes: results.notes }],
  });
}
