/**
 * Generation benchmark: radflow's runtime vs @huggingface/transformers' generate() on the same ONNX model, same
 * onnxruntime-node, same prompts, same thread count, greedy, a fixed number of new tokens. Each configuration runs in
 * its own process (peak RSS is per engine). Prints a table; writes results JSON and an HTML chart to bench/results/.
 *
 *   npm run bench -w @radflow/model-runtime [-- --tokens 64 --reps 3 --threads 1 --model models/tiny-random]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../src/manifest.ts';
import { renderChart } from './chart.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? (args[at + 1] as string) : fallback;
};
const trained = join(repoRoot, 'models/radflow-cxr-small');
const modelDir = resolve(
  repoRoot,
  option(
    'model',
    existsSync(join(trained, 'radflow-model.json')) ? trained : join(repoRoot, 'models/tiny-random'),
  ),
);
const newTokens = option('tokens', '64');
const reps = option('reps', '3');
const threads = option('threads', '1');
const manifest = readManifest(modelDir);

/**
 * transformers.js wants <root>/<id>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx} and a
 * model_type it knows. Our export has the Llama-style decoder I/O (input_ids, attention_mask, position_ids,
 * past_key_values.N.key/value -> logits, present.N.*), so a custom model_type is presented as "llama"; a real
 * Phi-2 export keeps its own "phi".
 */
function transformersLayout(): { root: string; id: string } {
  const root = mkdtempSync(join(tmpdir(), 'radflow-tjs-'));
  const id = 'model';
  const dir = join(root, id);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  cpSync(join(modelDir, manifest.onnx.model), join(dir, 'onnx', 'model.onnx'));
  for (const file of [manifest.tokenizer, 'tokenizer_config.json'])
    cpSync(join(modelDir, file), join(dir, file));
  const config = JSON.parse(readFileSync(join(modelDir, manifest.config), 'utf8')) as Record<string, unknown>;
  const known = ['phi', 'llama', 'gpt2', 'mistral', 'qwen2'];
  const adapted = known.includes(String(config.model_type))
    ? config
    : { ...config, model_type: 'llama', architectures: ['LlamaForCausalLM'] };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(adapted, null, 2));
  return { root, id };
}

interface Row {
  engine: string;
  batch: number;
  tokensPerSecond: number;
  ttftMs: number;
  wallMs: number;
  tokensPerRun: number;
  peakRssMb: number;
  ids: number[][];
}

const layout = transformersLayout();
const rows: Row[] = [];
try {
  for (const batch of ['1', '8']) {
    for (const engine of ['radflow-engine', 'radflow-scheduler', 'transformers']) {
      process.stderr.write(`bench: ${engine} batch ${batch} ...\n`);
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(here, 'worker.ts'),
          engine,
          batch,
          newTokens,
          reps,
          modelDir,
          threads,
          layout.root,
          layout.id,
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, OMP_NUM_THREADS: threads },
        },
      );
      rows.push(JSON.parse(out.trim().split('\n').at(-1) as string) as Row);
    }
  }
} finally {
  rmSync(layout.root, { recursive: true, force: true });
}

const find = (engine: string, batch: number) =>
  rows.find((r) => r.engine === engine && r.batch === batch) as Row;
const speedup = (batch: number, engine = 'radflow-engine') =>
  find(engine, batch).tokensPerSecond / find('transformers', batch).tokensPerSecond;
const sameIds = (batch: number) =>
  JSON.stringify(find('radflow-engine', batch).ids) === JSON.stringify(find('transformers', batch).ids);

const model = `${manifest.name} ${manifest.version} (${modelDir.replace(repoRoot, '')})`;
console.log(
  `\nModel: ${model}; ${newTokens} new tokens per sequence (greedy, no early stop), median of ${reps} runs, ${threads} intra-op thread(s)`,
);
console.log(
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; onnxruntime-node 1.30.0 for both\n`,
);
const header = ['engine', 'batch', 'tokens/s', 'TTFT ms', 'run ms', 'tokens/run', 'peak RSS MB'];
const table = rows.map((r) => [
  r.engine,
  String(r.batch),
  r.tokensPerSecond.toFixed(0),
  r.ttftMs.toFixed(1),
  r.wallMs.toFixed(1),
  String(r.tokensPerRun),
  r.peakRssMb.toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] as string).length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i < 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
console.log(line(header));
for (const cells of table) console.log(line(cells));
const summary = {
  speedupBatch1: speedup(1),
  speedupBatch8: speedup(8),
  schedulerSpeedupBatch8: speedup(8, 'radflow-scheduler'),
  goalBatch8: 1.5,
  sameGreedyIdsBatch1: sameIds(1),
  sameGreedyIdsBatch8: sameIds(8),
};
console.log(
  `\nradflow engine vs transformers.js generate(): ${summary.speedupBatch1.toFixed(2)}x at batch 1, ${summary.speedupBatch8.toFixed(2)}x at batch 8 (goal >= 1.5x); ` +
    `through the request scheduler ${summary.schedulerSpeedupBatch8.toFixed(2)}x at batch 8. Same greedy ids: batch 1 ${summary.sameGreedyIdsBatch1}, batch 8 ${summary.sameGreedyIdsBatch8}.`,
);

const results = {
  model: { name: manifest.name, version: manifest.version, dir: modelDir.replace(repoRoot, '') },
  settings: {
    newTokens: Number(newTokens),
    reps: Number(reps),
    threads: Number(threads),
    onnxruntimeNode: '1.30.0',
    transformers: '4.3.1',
  },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
  measuredAt: new Date().toISOString(),
  rows: rows.map(({ ids: _ids, ...rest }) => rest),
  summary,
};
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `generate-${manifest.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, `generate-${manifest.name}.html`), renderChart(results));
console.log(`\nwrote bench/results/generate-${manifest.name}.json and .html`);
