/**
 * One benchmark configuration in its own process, so peak RSS belongs to one engine. Prints one JSON line.
 * argv: engine (radflow-engine: the decoding loop itself | radflow-service: as the service runs it, worker thread +
 *       scheduler, without HTTP | transformers) mode (fixed | mixed | natural) batch newTokens reps modelDir threads
 *       [tjsRoot tjsId]. fixed: every sequence gets exactly newTokens; mixed: exactly its task's budget
 *       (mixedBudgets); natural: stops at end-of-text, at most newTokens (the served case; tokens counted to the stop).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActiveBatch,
  DecoderRunner,
  Sequence,
  createDecoderSession,
  readDecoderConfig,
  readManifest,
  silentLogger,
  TextTokenizer,
  WorkerModel,
} from '../src/index.ts';
import { benchPrompts, mixedBudgets } from './bench-prompts.ts';

const [
  engine = '',
  mode = 'fixed',
  batchArg = '1',
  newTokensArg = '64',
  repsArg = '3',
  modelDir = '',
  threadsArg = '1',
  tjsRoot = '',
  tjsId = '',
] = process.argv.slice(2);
const batch = Number(batchArg);
const newTokens = Number(newTokensArg);
const reps = Number(repsArg);
const threads = Number(threadsArg);
const manifest = readManifest(modelDir);
// --quantized in the orchestrator: every engine runs the manifest's quantized file.
const quantized = process.env.RADFLOW_BENCH_QUANTIZED === '1';
const onnxFile = quantized && manifest.onnx.quantized ? manifest.onnx.quantized : manifest.onnx.model;
const prompts = benchPrompts(manifest.specialTokens).slice(0, batch);
while (prompts.length < batch) prompts.push(prompts[prompts.length % 8] as string);
const budgets = prompts.map((_, i) =>
  mode === 'mixed' ? (mixedBudgets[i % mixedBudgets.length] as number) : newTokens,
);
const usefulTokens = budgets.reduce((a, b) => a + b, 0);

interface Run {
  wallMs: number;
  ttftMs: number;
  tokens: number;
  firstIds: number[][];
  /** Time spent inside InferenceSession.run (the same graph and kernels for every engine); null where not seen. */
  onnxRuntimeMs: number | null;
}

/** Times every run() of an ONNX Runtime session; `take()` returns the milliseconds since the last take. */
function timeSessionRuns(session: { run: (...args: never[]) => Promise<unknown> }): { take(): number } {
  const run = session.run.bind(session);
  let spent = 0;
  session.run = async (...args: never[]) => {
    const start = performance.now();
    try {
      return await run(...args);
    } finally {
      spent += performance.now() - start;
    }
  };
  return {
    take() {
      const value = spent;
      spent = 0;
      return value;
    },
  };
}

async function radflowEngine(): Promise<() => Promise<Run>> {
  const config = readDecoderConfig(modelDir, manifest.config);
  const tokenizer = TextTokenizer.load(modelDir, manifest, config.eosTokenIds, config.padTokenId);
  const { session, signature } = await createDecoderSession(
    modelDir,
    join(modelDir, onnxFile),
    config,
    { providers: ['cpu'], threads },
    silentLogger,
  );
  const onnxRuntime = timeSessionRuns(session);
  const runner = new DecoderRunner(session, signature, tokenizer.padId);
  const ids = prompts.map((p) => tokenizer.encode(p));
  return async () => {
    onnxRuntime.take();
    const start = performance.now();
    const active = new ActiveBatch(runner, tokenizer.stopIds);
    // fixed / mixed: end-of-text suppressed until the budget, exactly like min_new_tokens below; natural: the model's stops.
    const sequences = ids.map((p, i) => {
      const budget = budgets[i] as number;
      return new Sequence(p, budget, undefined, mode === 'natural' ? 0 : budget);
    });
    await active.admit(sequences);
    const ttftMs = performance.now() - start;
    while (active.size > 0) await active.step();
    return {
      wallMs: performance.now() - start,
      ttftMs,
      tokens: sequences.reduce((n, s) => n + s.tokens.length, 0),
      firstIds: sequences.map((s) => s.tokens),
      onnxRuntimeMs: onnxRuntime.take(),
    };
  };
}

/** As the inference service runs it: WorkerModel (own thread) with the continuous-batching scheduler. */
async function radflowService(): Promise<() => Promise<Run>> {
  const handle = await WorkerModel.load(modelDir, {
    quantized,
    threads,
    maxBatch: Math.max(batch, 1),
    maxWaitMs: 2,
    queueLimit: 1024,
  });
  return async () => {
    const start = performance.now();
    const results = await Promise.all(
      prompts.map((p, i) => {
        const budget = budgets[i] as number;
        const minNewTokens = mode === 'natural' ? 0 : budget;
        return handle.generate(p, { deadlineMs: 600_000, maxNewTokens: budget, minNewTokens });
      }),
    );
    return {
      wallMs: performance.now() - start,
      ttftMs: results.reduce((n, r) => n + r.firstTokenMs, 0) / results.length,
      tokens: results.reduce((n, r) => n + r.tokenIds.length, 0),
      firstIds: results.map((r) => r.tokenIds),
      // The session runs on the worker thread, out of this thread's sight.
      onnxRuntimeMs: null,
    };
  };
}

async function transformers(): Promise<() => Promise<Run>> {
  const { AutoModelForCausalLM, AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = tjsRoot;
  const tokenizer = await AutoTokenizer.from_pretrained(tjsId);
  const model = await AutoModelForCausalLM.from_pretrained(tjsId, {
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  const onnxRuntime = timeSessionRuns(
    (model as unknown as { sessions: Record<string, { run: (...args: never[]) => Promise<unknown> }> })
      .sessions.model as { run: (...args: never[]) => Promise<unknown> },
  );
  const eos = (
    JSON.parse(readFileSync(join(tjsRoot, tjsId, 'config.json'), 'utf8')) as { eos_token_id: number }
  ).eos_token_id;
  return async () => {
    const inputs = tokenizer(prompts, { padding: true });
    let puts = 0;
    let ttftMs = 0;
    onnxRuntime.take();
    const start = performance.now();
    const streamer = {
      put() {
        puts += 1;
        if (puts === 2) ttftMs = performance.now() - start;
      },
      end() {},
    };
    // One budget for the whole batch, the largest: rows past their own budget are wasted work.
    const budget = Math.max(...budgets);
    const natural = mode === 'natural';
    const out = (await model.generate({
      ...inputs,
      max_new_tokens: budget,
      min_new_tokens: natural ? 0 : budget,
      do_sample: false,
      eos_token_id: eos,
      streamer,
    } as never)) as {
      dims: number[];
      tolist(): bigint[][];
    };
    const wallMs = performance.now() - start;
    const promptLength = (inputs.input_ids as { dims: number[] }).dims[1] as number;
    const rows = out
      .tolist()
      .map((row, i) => row.slice(promptLength, promptLength + (budgets[i] as number)).map(Number))
      // natural: a row's answer ends before its first end-of-text; generate() pads it after that.
      .map((row) => (natural && row.includes(eos) ? row.slice(0, row.indexOf(eos)) : row));
    return {
      wallMs,
      ttftMs,
      tokens: rows.reduce((n, r) => n + r.length, 0),
      firstIds: rows,
      onnxRuntimeMs: onnxRuntime.take(),
    };
  };
}

const run =
  engine === 'radflow-engine'
    ? await radflowEngine()
    : engine === 'radflow-service'
      ? await radflowService()
      : await transformers();
await run(); // warm-up
const runs: Run[] = [];
for (let i = 0; i < reps; i += 1) runs.push(await run());
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const tokensPerSecond = median(runs.map((r) => (r.tokens / r.wallMs) * 1000));
console.log(
  JSON.stringify({
    engine,
    mode,
    batch,
    usefulTokens,
    newTokens,
    reps,
    threads,
    tokensPerSecond,
    ttftMs: median(runs.map((r) => r.ttftMs)),
    wallMs: median(runs.map((r) => r.wallMs)),
    onnxRuntimeMs: runs.some((r) => r.onnxRuntimeMs === null)
      ? null
      : median(runs.map((r) => r.onnxRuntimeMs as number)),
    tokensPerRun: runs[0]?.tokens,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ids: runs[0]?.firstIds,
  }),
);
// The service engine's worker thread would keep the process alive.
process.exit(0);
