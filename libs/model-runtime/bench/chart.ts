interface ChartRow {
  engine: string;
  mode: string;
  batch: number;
  tokensPerSecond: number;
  ttftMs: number;
  peakRssMb: number;
}

interface ChartInput {
  model: { name: string; version: string; dir: string };
  settings: { newTokens: number; rounds: number; threads: number };
  measuredAt: string;
  rows: ChartRow[];
  summary: {
    fixed: {
      engineSpeedupBatch1: number;
      engineSpeedupBatch8: number;
      engineShareInOnnxRuntimeBatch8: number;
      equalWorkCeilingBatch8: number;
    };
    mixed: { engineSpeedupBatch8: number };
    natural: { engineSpeedupBatch8: number };
  };
}

const colors: Record<string, string> = {
  'radflow-engine': '#2563eb',
  'radflow-service': '#60a5fa',
  transformers: '#f97316',
};

function bars(title: string, unit: string, rows: ChartRow[], value: (r: ChartRow) => number): string {
  const width = 560;
  const barHeight = 22;
  const max = Math.max(...rows.map(value), 1);
  const items = rows
    .map((r, i) => {
      const w = Math.max(2, (value(r) / max) * (width - 300));
      const y = 30 + i * (barHeight + 6);
      return `<text x="0" y="${y + 15}" font-size="12">${r.mode} · ${r.engine} · b${r.batch}</text><rect x="240" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${colors[r.engine] ?? '#999'}"/><text x="${(245 + w).toFixed(1)}" y="${y + 15}" font-size="12">${value(r).toFixed(value(r) < 10 ? 1 : 0)} ${unit}</text>`;
    })
    .join('');
  const height = 40 + rows.length * (barHeight + 6);
  return `<svg width="${width}" height="${height}" font-family="sans-serif"><text x="0" y="16" font-size="14" font-weight="bold">${title}</text>${items}</svg>`;
}

/** A self-contained HTML page with bar charts of the benchmark (no scripts, no external assets). */
export function renderChart(input: ChartInput): string {
  const { model, settings, rows, summary } = input;
  return `<!doctype html><html><head><meta charset="utf-8"><title>radflow generate benchmark</title></head>
<body style="font-family:sans-serif;max-width:980px;margin:2em auto">
<h1>Generation throughput: radflow runtime vs transformers.js</h1>
<p>Model <b>${model.name} ${model.version}</b> (${model.dir}); ${settings.newTokens} new tokens per sequence, greedy, median over ${settings.rounds} rounds,
${settings.threads} intra-op thread(s), CPU, onnxruntime-node 1.30.0 for both. Measured ${input.measuredAt}.</p>
<p>radflow engine vs transformers.js <code>generate()</code>, tokens/s. Fixed work (every sequence ${settings.newTokens} tokens):
<b>${summary.fixed.engineSpeedupBatch1.toFixed(2)}x</b> at batch 1, <b>${summary.fixed.engineSpeedupBatch8.toFixed(2)}x</b> at batch 8.
Mixed answer budgets (each prompt its task's budget; generate() runs a batch to the largest): <b>${summary.mixed.engineSpeedupBatch8.toFixed(2)}x</b> at batch 8.
Natural stops at end-of-text: <b>${summary.natural.engineSpeedupBatch8.toFixed(2)}x</b> at batch 8.
Goal ≥ 1.5x at batch 8.</p>
<p>At fixed work, batch 8, ${(100 * summary.fixed.engineShareInOnnxRuntimeBatch8).toFixed(0)}% of radflow's run is spent inside
<code>InferenceSession.run</code> (the same graph and kernels transformers.js runs): with no time of its own outside it, radflow
would reach <b>${summary.fixed.equalWorkCeilingBatch8.toFixed(2)}x</b>, the ceiling for any loop around this session at equal work.</p>
<div style="display:flex;flex-wrap:wrap;gap:24px">
${bars('Throughput (higher is better)', 'tok/s', rows, (r) => r.tokensPerSecond)}
${bars('Time to first token (lower is better)', 'ms', rows, (r) => r.ttftMs)}
${bars('Peak RSS (lower is better)', 'MB', rows, (r) => r.peakRssMb)}
</div></body></html>
`;
}
