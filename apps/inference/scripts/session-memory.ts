// What one more loaded model session costs the inference service: process RSS (the model's worker thread included)
// before and after loading each directory given, each as the service loads a requested version (ModelHost, worker
// isolation), and after one impression request on it (ONNX Runtime's arenas and the KV cache grow on first use).
// Usage: node --import tsx apps/inference/scripts/session-memory.ts <modelDir> [<modelDir> ...]
// (INFERENCE_QUANTIZED=true: the manifest's int8 file). No --expose-gc: worker threads refuse that flag; the JS heap
// is small beside the sessions' native memory.
import { ModelHost } from '@radflow/model-runtime';

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const rss = () => process.memoryUsage().rss;
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: session-memory.ts <modelDir> [<modelDir> ...]');
const quantized = process.env.INFERENCE_QUANTIZED === 'true';
const hosts: ModelHost[] = [];
await settle();
let last = rss();
console.log(`baseline rss ${mib(last)} MiB`);
for (const dir of dirs) {
  const host = await ModelHost.start(dir, { isolation: 'worker', threads: 1, providers: ['cpu'], quantized });
  hosts.push(host);
  await settle();
  const loaded = rss();
  await host.runTask(
    'impression',
    { findings: 'Mild cardiomegaly. Small left pleural effusion. Endotracheal tube 4 cm above the carina.' },
    { deadlineMs: 120_000, maxNewTokens: 32 },
  );
  await settle();
  const used = rss();
  console.log(
    `${host.model.name}@${host.model.version}${quantized ? ' (int8)' : ''}: loaded +${mib(loaded - last)} MiB, ` +
      `after one request +${mib(used - last)} MiB (rss ${mib(used)} MiB, ${hosts.length} session(s))`,
  );
  last = used;
}
await Promise.all(hosts.map((h) => h.close()));
