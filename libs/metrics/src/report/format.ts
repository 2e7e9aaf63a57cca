import type { ConfidenceInterval } from '../bootstrap.ts';

export interface FormatOptions {
  /** Multiplier for display: 100 shows scores in [0, 1] as percentages, as the paper does. */
  scale?: number;
  digits?: number;
}

/** "90.65 [89.80, 91.43]": the estimate and its interval, or "—" when there is nothing to show. */
export function formatInterval(
  ci: ConfidenceInterval | null | undefined,
  options: FormatOptions = {},
): string {
  if (!ci || Number.isNaN(ci.estimate)) return '—';
  const scale = options.scale ?? 100;
  const digits = options.digits ?? 2;
  const f = (v: number) => (Number.isNaN(v) ? '—' : (v * scale).toFixed(digits));
  return `${f(ci.estimate)} [${f(ci.lower)}, ${f(ci.upper)}]`;
}

export function formatNumber(value: number | null | undefined, options: FormatOptions = {}): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return (value * (options.scale ?? 100)).toFixed(options.digits ?? 2);
}

export interface TextTable {
  headers: string[];
  rows: string[][];
}

/** A plain monospace table: the first column left-aligned, the others right-aligned. */
export function renderTextTable(table: TextTable): string {
  const widths = table.headers.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table.headers), rule, ...table.rows.map(line)].join('\n');
}
