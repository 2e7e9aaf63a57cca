// llama.cpp (node-llama-cpp, its prebuilt CPU binary) on the base model's own GGUF: the CPU reference that radflow's
// ONNX Runtime path is compared with. Greedy, exactly --tokens new tokens per sequence (no stop), batch 1 and B
// sequences decoded together in one context. Run: libs/model-runtime/bench/llama-cpp/run.sh [--tokens 64 --batch 8]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getLlama } from 'node-llama-cpp';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const gguf = option('gguf', '');
const tokens = Number(option('tokens', '64'));
const batch = Number(option('batch', '8'));
const threads = Number(option('threads', '2'));
const prompts = JSON.parse(readFileSync(option('prompts', ''), 'utf8'));

const llama = await getLlama({ gpu: false, build: 'never' });
const model = await llama.loadModel({ modelPath: gguf });

async function run(rows) {
  const context = await model.createContext({
    sequences: rows,
    contextSize: 1024 * rows,
    threads,
    batchSize: 512,
  });
  const started = performance.now();
  let firstToken = 0;
  await Promise.all(
    Array.from({ length: rows }, async (_, r) => {
      const sequence = context.getSequence();
      const ids = model.tokenize(prompts[r % prompts.length], true);
      let n = 0;
      for await (const _token of sequence.evaluate(ids, { temperature: 0 })) {
        if (n === 0 && r === 0) firstToken = performance.now() - started;
        n += 1;
        if (n >= tokens) break;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await context.dispose();
  return {
    rows,
    newTokens: rows * tokens,
    seconds,
    tokensPerSecond: (rows * tokens) / seconds,
    firstTokenMs: firstToken,
  };
}

const results = [];
for (const rows of [1, batch]) {
  await run(rows); // warm-up
  results.push(await run(rows));
}
console.log(JSON.stringify({ engine: `llama.cpp (node-llama-cpp)`, gguf, threads, results }, null, 2));
await model.dispose();
