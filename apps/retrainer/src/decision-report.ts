import type { GateDecision, MetricComparison } from '@radflow/feedback';

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (v: number) => (Number.isFinite(v) ? (v * 100).toFixed(1) : 'n/a');

/** One row: candidate and current as points with their interval whiskers on a 0-100 scale. */
function chartRow(c: MetricComparison, y: number): string {
  const x = (v: number) => 220 + Math.max(0, Math.min(1, Number.isFinite(v) ? v : 0)) * 400;
  const bar = (i: MetricComparison['current'], dy: number, colour: string) =>
    `<line x1="${x(i.lower)}" x2="${x(i.upper)}" y1="${y + dy}" y2="${y + dy}" stroke="${colour}" stroke-width="2"/>` +
    `<circle cx="${x(i.estimate)}" cy="${y + dy}" r="4" fill="${colour}"/>`;
  const label = `${c.evaluationSet} · ${c.metric} (n=${c.examples})${c.gated ? '' : ' not gated'}`;
  return (
    `<text x="0" y="${y + 4}" font-size="12" fill="${c.worse ? '#b00020' : '#222'}">${escape(label)}</text>` +
    bar(c.current, -5, '#7a7a7a') +
    bar(c.candidate, 5, c.worse ? '#b00020' : '#1565c0')
  );
}

/** A page an operator can open: the decision, the reasons, each metric with its interval, candidate beside current. */
export function renderDecisionReport(title: string, decision: GateDecision): string {
  const height = decision.comparisons.length * 30 + 40;
  const ticks = [0, 25, 50, 75, 100]
    .map(
      (t) =>
        `<line x1="${220 + t * 4}" x2="${220 + t * 4}" y1="10" y2="${height - 20}" stroke="#eee"/><text x="${214 + t * 4}" y="${height - 5}" font-size="10">${t}</text>`,
    )
    .join('');
  const rows = decision.comparisons.map((c, i) => chartRow(c, 30 + i * 30)).join('');
  const table = decision.comparisons
    .map(
      (c) =>
        `<tr${c.worse ? ' class="worse"' : ''}><td>${escape(c.evaluationSet)}</td><td>${escape(c.metric)}</td><td>${c.examples}</td>` +
        `<td>${pct(c.candidate.estimate)} [${pct(c.candidate.lower)}, ${pct(c.candidate.upper)}]</td>` +
        `<td>${pct(c.current.estimate)} [${pct(c.current.lower)}, ${pct(c.current.upper)}]</td>` +
        `<td>${pct(c.difference.estimate)} [${pct(c.difference.lower)}, ${pct(c.difference.upper)}]</td>` +
        `<td>${c.gated ? (c.worse ? 'worse' : 'ok') : 'not gated'}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}td,th{padding:4px 10px;text-align:left}tr.worse td{color:#b00020}
.promote{color:#2e7d32}.reject{color:#b00020}</style></head><body>
<h1>${escape(title)}</h1>
<h2 class="${decision.outcome}">${decision.outcome === 'promote' ? 'Promoted' : 'Rejected'}</h2>
<ul>${decision.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>
<p>Grey: current model; blue: candidate (red when worse beyond the interval). Points are estimates, lines 95% bootstrap intervals, on 0-100.</p>
<svg width="640" height="${height}" xmlns="http://www.w3.org/2000/svg">${ticks}${rows}</svg>
<table><tr><th>set</th><th>metric</th><th>n</th><th>candidate</th><th>current</th><th>difference (paired)</th><th>gate</th></tr>${table}</table>
</body></html>
`;
}
