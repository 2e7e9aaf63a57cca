/**
 * Where ONNX Runtime spends a batch's decoding time, by operator type: runs the benchmark's batch of prompts with
 * ORT's profiler on and sums its kernel events. For deciding whether a graph change could pay (the loop around the
 * session is already ~98% inside it: see generate.bench.ts).
 *
 *   npm run profile -w @radflow/model-runtime [-- --model DIR --batch 8 --tokens 64 --threads 1]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  ActiveBatch,
  DecoderRunner,
  Sequence,
  readDecoderConfig,
  readManifest,
  readSignature,
  TextTokenizer,
} from '../src/index.ts';
import { benchPrompts } from './bench-prompts.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? (args[at + 1] as string) : fallback;
};
const modelDir = resolve(repoRoot, option('model', 'models/radflow-cxr-small'));
const batch = Number(option('batch', '8'));
const newTokens = Number(option('tokens', '64'));
const threads = Number(option('threads', '1'));

const manifest = readManifest(modelDir);
const config = readDecoderConfig(modelDir, manifest.config);
const tokenizer = TextTokenizer.load(modelDir, manifest, config.eosTokenIds, config.padTokenId);
const traceDir = mkdtempSync(join(tmpdir(), 'radflow-profile-'));
const session = await ort.InferenceSession.create(join(modelDir, manifest.onnx.model), {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: join(traceDir, 'ort'),
});
const runner = new DecoderRunner(session, readSignature(modelDir, session, config), tokenizer.padId);
const prompts = benchPrompts(manifest.specialTokens);
const ids = Array.from({ length: batch }, (_, i) => tokenizer.encode(prompts[i % prompts.length] as string));
for (let rep = 0; rep < 3; rep += 1) {
  const active = new ActiveBatch(runner, tokenizer.stopIds);
  await active.admit(ids.map((p) => new Sequence(p, newTokens, undefined, newTokens)));
  while (active.size > 0) await active.step();
}
// onnxruntime-node writes the trace when the session is released.
await session.release();

interface TraceEvent {
  cat?: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}
const traceFile = join(traceDir, readdirName(traceDir));
const events = JSON.parse(readFileSync(traceFile, 'utf8')) as TraceEvent[];
rmSync(traceDir, { recursive: true, force: true });
const byOp = new Map<string, { us: number; calls: number }>();
let runUs = 0;
for (const event of events) {
  if (event.cat === 'Session' && event.name === 'model_run') runUs += event.dur;
  if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
  const op = event.args?.op_name ?? 'unknown';
  const entry = byOp.get(op) ?? { us: 0, calls: 0 };
  entry.us += event.dur;
  entry.calls += 1;
  byOp.set(op, entry);
}
const kernelUs = [...byOp.values()].reduce((n, e) => n + e.us, 0);
console.log(
  `${manifest.name} ${manifest.version}: batch ${batch}, ${newTokens} tokens each, ${threads} thread(s), 3 repetitions`,
);
console.log(
  `session runs ${(runUs / 1000).toFixed(0)} ms, of which kernels ${(kernelUs / 1000).toFixed(0)} ms ` +
    `(${((100 * kernelUs) / runUs).toFixed(0)}%); the rest is ONNX Runtime's executor between kernels\n`,
);
console.log(`${'operator'.padEnd(22)}${'ms'.padStart(9)}${'share'.padStart(8)}${'calls'.padStart(8)}`);
for (const [op, { us, calls }] of [...byOp].sort((a, b) => b[1].us - a[1].us).slice(0, 15)) {
  const share = `${((100 * us) / kernelUs).toFixed(1)}%`;
  console.log(
    `${op.padEnd(22)}${(us / 1000).toFixed(1).padStart(9)}${share.padStart(8)}${String(calls).padStart(8)}`,
  );
}

function readdirName(dir: string): string {
  const name = readdirSync(dir).find((file) => file.endsWith('.json'));
  if (!name) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
  return name;
}
