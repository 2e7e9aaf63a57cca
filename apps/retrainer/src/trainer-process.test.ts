import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrainer, TrainerFailedError, type TrainerJob, type TrainerProgress } from './trainer-process.ts';

// Real child processes: small Python scripts that speak the trainer's JSON-lines protocol.
function script(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'radflow-trainer-')), 'trainer.py');
  writeFileSync(path, `import json, sys\nemit = lambda **e: print(json.dumps(e), flush=True)\n${body}\n`);
  return path;
}

const job = (scriptPath: string, overrides: Partial<TrainerJob> = {}): TrainerJob => ({
  python: '/usr/bin/python3',
  script: scriptPath,
  baseDir: '/base',
  datasetDir: '/data',
  outDir: '/out',
  name: 'm',
  version: '1',
  steps: 3,
  learningRate: 0.001,
  maxEpochs: 100,
  batchTokens: 1024,
  seed: 1,
  dataSnapshot: 'ab'.repeat(32),
  timeoutMs: 20_000,
  fullFineTune: false,
  lora: { rank: 8, alpha: 16, targets: ['attn.qkv', 'mlp.2'] },
  replayRatio: 1.5,
  replayOpeniDir: '/openi',
  epochChoicePercent: 0,
  replayForm: 'off',
  ...overrides,
});

describe('runTrainer', () => {
  it('passes the job as arguments, reports progress and returns the exported candidate', async () => {
    const path = script(`
args = sys.argv[1:]
steps = int(args[args.index('--steps') + 1])
emit(event='started', sequences=7, argv=args)
print('not json: a log line', flush=True)
for i in range(steps):
    emit(event='progress', stage='training', step=i + 1, totalSteps=steps, loss=3.0 - i)
emit(event='progress', stage='export', step=steps, totalSteps=steps)
print('fine-tune 100%', file=sys.stderr)
emit(event='exported', modelDir=args[args.index('--out') + 1], steps=steps, seconds=1.5, trainSeconds=1.0, finalLoss=1.0)`);
    const progress: TrainerProgress[] = [];
    const result = await runTrainer(job(path), (p) => progress.push(p));
    expect(result).toMatchObject({ modelDir: '/out', steps: 3, finalLoss: 1, started: { sequences: 7 } });
    expect((result.started.argv as string[]).join(' ')).toContain(
      '--base /base --data /data --out /out --name m --version 1 --steps 3',
    );
    expect((result.started.argv as string[]).join(' ')).toContain('--epoch-choice-percent 0');
    expect((result.started.argv as string[]).join(' ')).toContain('--replay-form off');
    const unset = await runTrainer(job(path, { replayForm: undefined }), () => undefined);
    expect(unset.started.argv as string[]).not.toContain('--replay-form');
    expect(progress).toEqual([
      { stage: 'training', step: 1, totalSteps: 3, loss: 3 },
      { stage: 'training', step: 2, totalSteps: 3, loss: 2 },
      { stage: 'training', step: 3, totalSteps: 3, loss: 1 },
      { stage: 'export', step: 3, totalSteps: 3 },
    ]);
  });

  it('leaves the learning rate and the replay ratio to the trainer unless the job sets them (they depend on the base)', async () => {
    const path = script(`
emit(event='started', argv=sys.argv[1:])
emit(event='exported', modelDir='/out', steps=1, seconds=1, trainSeconds=1, finalLoss=1.0)`);
    const argv = async (overrides: Partial<TrainerJob>) =>
      (await runTrainer(job(path, overrides), () => undefined)).started.argv as string[];
    expect(await argv({ learningRate: undefined })).not.toContain('--lr');
    const given = await argv({ learningRate: 3e-4 });
    expect(given[given.indexOf('--lr') + 1]).toBe('0.0003');
    expect(await argv({ replayRatio: undefined })).not.toContain('--replay-ratio');
    const ratio = await argv({ replayRatio: 2 });
    expect(ratio[ratio.indexOf('--replay-ratio') + 1]).toBe('2');
  });

  it('asks for an adapter with replay, and returns what the trainer says of the adapter', async () => {
    const path = script(`
args = sys.argv[1:]
out = args[args.index('--out') + 1]
emit(event='exported', modelDir=out + '/merged', adapterDir=out + '/adapter', adapterManifest=out + '/adapter-manifest.json',
     adapterSha256='cd' * 32, adapterBytes=1234, baseOnnxSha256='ef' * 32,
     lora={'rank': 8, 'alpha': 16.0, 'targets': ['attn.qkv', 'mlp.2'], 'dropout': 0.0, 'parameters': 99},
     replay={'ratio': 1.5, 'seed': 1, 'count': 15, 'countsPerTask': {'impression': 15},
             'impressionForm': {'form': 'numbered-list', 'separator': ' ', 'share': 1.0, 'evidence': 10, 'rewritten': 9}},
     feedbackCount=10,
     steps=3, seconds=1.5, trainSeconds=1.0, finalLoss=1.0, argv=args,
     epochChoice={'impression': {'heldOut': 6, 'heldOutLoss': [1.4, 0.8, 0.83], 'chosenPasses': 1, 'plannedPasses': 4}})`);
    const result = await runTrainer(job(path), () => undefined);
    expect(result.modelDir).toBe('/out/merged');
    expect(result.epochChoice).toEqual({
      impression: { heldOut: 6, heldOutLoss: [1.4, 0.8, 0.83], chosenPasses: 1, plannedPasses: 4 },
    });
    expect(result.adapter).toEqual({
      dir: '/out/adapter',
      manifestPath: '/out/adapter-manifest.json',
      sha256: 'cd'.repeat(32),
      bytes: 1234,
      baseOnnxSha256: 'ef'.repeat(32),
      lora: { rank: 8, alpha: 16, targets: ['attn.qkv', 'mlp.2'], parameters: 99 },
      replay: {
        ratio: 1.5,
        seed: 1,
        count: 15,
        countsPerTask: { impression: 15 },
        impressionForm: { form: 'numbered-list', separator: ' ', share: 1, evidence: 10, rewritten: 9 },
      },
      feedbackCount: 10,
    });
  });

  it('passes the adapter and replay settings, or --full for a whole-model fine-tune', async () => {
    const path = script(`
args = sys.argv[1:]
emit(event='exported', modelDir=args[args.index('--out') + 1], steps=1, seconds=1, trainSeconds=1, finalLoss=1.0)
emit(event='started', argv=args)`);
    const adapter = await runTrainer(job(path), () => undefined);
    expect(adapter.adapter).toBeUndefined();
    expect(adapter.epochChoice).toEqual({});
    const full = await runTrainer(job(path, { fullFineTune: true, replayRatio: 0 }), () => undefined);
    expect((adapter.started.argv as string[]).join(' ')).toContain(
      '--replay-ratio 1.5 --openi-dir /openi --lora-rank 8 --lora-alpha 16 --lora-targets attn.qkv,mlp.2',
    );
    const fullArgs = (full.started.argv as string[]).join(' ');
    expect(fullArgs).toContain('--replay-ratio 0 --openi-dir /openi --full');
    expect(fullArgs).not.toContain('--lora-rank');
  });

  it('carries the trainer’s own failure code', async () => {
    const path = script(
      `emit(event='failed', code='NO_TRAINING_DATA', reason='no usable training sequences')\nsys.exit(2)`,
    );
    await expect(runTrainer(job(path), () => undefined)).rejects.toMatchObject({
      code: 'NO_TRAINING_DATA',
      reason: 'no usable training sequences',
    });
  });

  it('names a crash by its exit code and last stderr line', async () => {
    const path = script(
      `print('Traceback...', file=sys.stderr)\nprint('ValueError: bad shape', file=sys.stderr)\nsys.exit(1)`,
    );
    const error = await runTrainer(job(path), () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainerFailedError);
    expect(error).toMatchObject({ code: 'TRAINER_EXITED', reason: 'exit 1: ValueError: bad shape' });
  });

  it('stops a trainer that runs past its time limit', async () => {
    const path = script(`import time\nemit(event='started')\ntime.sleep(30)`);
    await expect(runTrainer(job(path, { timeoutMs: 1500 }), () => undefined)).rejects.toMatchObject({
      code: 'TRAINER_TIMEOUT',
    });
  });

  it('says when the interpreter cannot start', async () => {
    await expect(
      runTrainer(job('x.py', { python: '/nonexistent/python3' }), () => undefined),
    ).rejects.toMatchObject({ code: 'TRAINER_NOT_STARTED' });
  });
});
