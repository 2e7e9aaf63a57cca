import type { ConfidenceInterval } from '../bootstrap.ts';
import type { TextTable } from './format.ts';

export interface BarSeries {
  name: string;
  color?: string;
}

export interface BarGroup {
  label: string;
  /** One value per series (null when that series has no value here), in [0, 1]. */
  values: (ConfidenceInterval | null)[];
}

export interface BarChart {
  title: string;
  series: BarSeries[];
  groups: BarGroup[];
}

export interface ReportSection {
  heading: string;
  notes?: string[];
  tables?: (TextTable & { caption?: string })[];
  charts?: BarChart[];
}

export interface HtmlReport {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
}

const PALETTE = ['#2f6db5', '#d9822b', '#6a9f3a', '#8e5ea2', '#c23b3b', '#4d4d4d'];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Grouped bar chart with 95% interval whiskers, scores 0-100, as inline SVG (no scripts, no external assets). */
export function renderBarChartSvg(chart: BarChart): string {
  const barWidth = 18;
  const groupGap = 26;
  const left = 44;
  const top = 28;
  const plotHeight = 180;
  const groupWidth = Math.max(72, chart.series.length * barWidth + groupGap);
  const width = left + chart.groups.length * groupWidth + 10;
  const legendY = top + plotHeight + 46;
  const height = legendY + 18;
  const y = (v: number) => top + plotHeight - Math.max(0, Math.min(1, v)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(chart.title)}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeHtml(chart.title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick * 100}</text>`);
  }
  chart.groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + (groupWidth - chart.series.length * barWidth) / 2;
    group.values.forEach((ci, s) => {
      if (!ci || Number.isNaN(ci.estimate)) return;
      const color = chart.series[s]?.color ?? PALETTE[s % PALETTE.length]!;
      const x = x0 + s * barWidth;
      const label = `${chart.series[s]?.name ?? ''} ${group.label}: ${(ci.estimate * 100).toFixed(2)} [${(ci.lower * 100).toFixed(2)}, ${(ci.upper * 100).toFixed(2)}]`;
      parts.push(
        `<rect x="${x}" y="${y(ci.estimate)}" width="${barWidth - 3}" height="${y(0) - y(ci.estimate)}" fill="${color}"><title>${escapeHtml(label)}</title></rect>`,
      );
      if (!Number.isNaN(ci.lower) && !Number.isNaN(ci.upper)) {
        const cx = x + (barWidth - 3) / 2;
        parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(ci.lower)}" y2="${y(ci.upper)}" stroke="#000"/>`);
        parts.push(
          `<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(ci.lower)}" y2="${y(ci.lower)}" stroke="#000"/>`,
        );
        parts.push(
          `<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(ci.upper)}" y2="${y(ci.upper)}" stroke="#000"/>`,
        );
      }
    });
    const cx = x0 + (chart.series.length * barWidth) / 2;
    parts.push(
      `<text x="${cx}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeHtml(group.label)}</text>`,
    );
  });
  chart.series.forEach((series, s) => {
    const x = left + s * 150;
    parts.push(
      `<rect x="${x}" y="${legendY - 10}" width="10" height="10" fill="${series.color ?? PALETTE[s % PALETTE.length]!}"/>`,
    );
    parts.push(`<text x="${x + 14}" y="${legendY}">${escapeHtml(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function renderTable(table: TextTable & { caption?: string }): string {
  const head = table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A self-contained HTML page (inline CSS and SVG only) with tables and bar charts. */
export function renderHtmlReport(report: HtmlReport): string {
  const sections = report.sections
    .map((section) => {
      const notes = (section.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join('\n');
      const tables = (section.tables ?? []).map(renderTable).join('\n');
      const charts = (section.charts ?? []).map((c) => `<figure>${renderBarChartSvg(c)}</figure>`).join('\n');
      return `<section><h2>${escapeHtml(section.heading)}</h2>\n${notes}\n${charts}\n${tables}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-weight:bold;padding:4px 0}
figure{margin:1em 0;overflow-x:auto}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
${report.subtitle ? `<p>${escapeHtml(report.subtitle)}</p>` : ''}
${sections}
</body></html>
`;
}
