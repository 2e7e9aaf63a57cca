import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface TrainerJob {
  python: string;
  script: string;
  baseDir: string;
  datasetDir: string;
  outDir: string;
  name: string;
  version: string;
  steps: number;
  /** Unset: finetune.py's rate for the base (a fresh adapter, a full fine-tune or radflow-cxr's adapters). */
  learningRate: number | undefined;
  maxEpochs: number;
  batchTokens: number;
  seed: number;
  dataSnapshot: string;
  timeoutMs: number;
  /** Fine-tune every weight (the output is the model directory) instead of training an adapter. */
  fullFineTune: boolean;
  /** The adapter: LoRA rank, alpha and the linears of each block it wraps (finetune.py's names). */
  lora: { rank: number; alpha: number; targets: string[] };
  /** Replay examples of the base's own training data per feedback example (0: none; undefined: the trainer's choice). */
  replayRatio: number | undefined;
  /** Open-i folder the replay sample is read from (its train split). */
  replayOpeniDir: string;
  /** Share of the feedback held out to choose how many passes (up to maxEpochs) to keep; 0: no choice. */
  epochChoicePercent: number;
  /**
   * auto: replayed impressions rewritten in the form the feedback's impressions are written in (when one is);
   * unset: finetune.py's choice for the base.
   */
  replayForm: 'off' | 'auto' | undefined;
}

export interface TrainerProgress {
  stage: 'training' | 'export';
  step: number;
  totalSteps: number;
  loss?: number;
}

/** What the trainer says of the adapter it wrote (absent after a full fine-tune). */
export interface TrainedAdapter {
  /** Folder of the adapter's weights (adapter.pt). */
  dir: string;
  /** adapter-manifest.json: base, LoRA config, hashes of the feedback and replay examples, training figures. */
  manifestPath: string;
  sha256: string;
  bytes: number;
  baseOnnxSha256: string;
  lora: { rank: number; alpha: number; targets: string[]; parameters: number };
  replay: {
    ratio: number;
    seed: number;
    count: number;
    countsPerTask: Record<string, number>;
    /** The form the replayed impressions were rewritten in, and how many; null: none (off, or no form found). */
    impressionForm: ReplayImpressionForm | null;
  };
  feedbackCount: number;
}

/** impression_form.py's finding: the feedback's form, its share and evidence, and the replayed answers it changed. */
export interface ReplayImpressionForm {
  form: 'numbered-list' | 'single-sentence';
  separator: string;
  share: number;
  evidence: number;
  rewritten: number;
}

/** How many passes the trainer kept for one adapter, chosen on held-out feedback (epoch_choice.py). */
export interface EpochChoice {
  heldOut: number;
  /** Mean loss per answer token on the held-out feedback: before training, then after each pass run. */
  heldOutLoss: number[];
  chosenPasses: number;
  plannedPasses: number;
}

export interface TrainerResult {
  /** The servable model directory: after an adapter run, the base with the adapter merged (a derived cache). */
  modelDir: string;
  adapter?: TrainedAdapter;
  steps: number;
  seconds: number;
  trainSeconds: number;
  finalLoss: number;
  /** By trained adapter ("adapter" on radflow-cxr-small, the served adapter's name on radflow-cxr); empty: no choice. */
  epochChoice: Record<string, EpochChoice>;
  started: Record<string, unknown>;
}

/** The trainer did not produce a candidate; code and reason name the cause without any report text. */
export class TrainerFailedError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`trainer failed (${code}): ${reason}`);
    this.name = 'TrainerFailedError';
  }
}

/**
 * Runs the Python fine-tune as a child process: by default a LoRA adapter on the frozen base, trained on the feedback
 * and a replay sample of the base's training data, with the merged model directory beside it (one thread, CPU here;
 * the same script uses a GPU build of torch where present). Its stdout is JSON lines (started, progress, exported, failed); stderr (the progress bar,
 * warnings) is kept only as a short tail for the failure reason.
 */
export function runTrainer(
  job: TrainerJob,
  onProgress: (progress: TrainerProgress) => void,
): Promise<TrainerResult> {
  const args = [
    job.script,
    '--base',
    job.baseDir,
    '--data',
    job.datasetDir,
    '--out',
    job.outDir,
    '--name',
    job.name,
    '--version',
    job.version,
    '--steps',
    String(job.steps),
    ...(job.learningRate === undefined ? [] : ['--lr', String(job.learningRate)]),
    '--max-epochs',
    String(job.maxEpochs),
    '--batch-tokens',
    String(job.batchTokens),
    '--seed',
    String(job.seed),
    '--data-snapshot',
    job.dataSnapshot,
    ...(job.replayRatio === undefined ? [] : ['--replay-ratio', String(job.replayRatio)]),
    '--openi-dir',
    job.replayOpeniDir,
    ...(job.fullFineTune
      ? ['--full']
      : [
          '--lora-rank',
          String(job.lora.rank),
          '--lora-alpha',
          String(job.lora.alpha),
          '--lora-targets',
          job.lora.targets.join(','),
        ]),
    '--epoch-choice-percent',
    String(job.epochChoicePercent),
    ...(job.replayForm === undefined ? [] : ['--replay-form', job.replayForm]),
  ];
  const child = spawn(job.python, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
      PYTHONUNBUFFERED: '1',
    },
  });
  let started: Record<string, unknown> = {};
  let exported: Record<string, unknown> | undefined;
  let failed: { code: string; reason: string } | undefined;
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (event.event === 'started') started = event;
    else if (event.event === 'progress') {
      onProgress({
        stage: event.stage === 'export' ? 'export' : 'training',
        step: Number(event.step),
        totalSteps: Number(event.totalSteps),
        ...(typeof event.loss === 'number' ? { loss: event.loss } : {}),
      });
    } else if (event.event === 'exported') exported = event;
    else if (event.event === 'failed') failed = { code: String(event.code), reason: String(event.reason) };
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      failed = {
        code: 'TRAINER_TIMEOUT',
        reason: `no candidate after ${Math.round(job.timeoutMs / 1000)} s`,
      };
    }, job.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new TrainerFailedError('TRAINER_NOT_STARTED', `${job.python} could not start: ${error.message}`),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      lines.close();
      if (code === 0 && exported) {
        resolve({
          modelDir: String(exported.modelDir),
          steps: Number(exported.steps),
          seconds: Number(exported.seconds),
          trainSeconds: Number(exported.trainSeconds),
          finalLoss: Number(exported.finalLoss),
          epochChoice: (exported.epochChoice ?? {}) as Record<string, EpochChoice>,
          started,
          ...(typeof exported.adapterDir === 'string' ? { adapter: adapterOf(exported) } : {}),
        });
        return;
      }
      if (failed) {
        reject(new TrainerFailedError(failed.code, failed.reason));
        return;
      }
      const lastLine = stderrTail.trim().split('\n').at(-1) ?? '';
      reject(new TrainerFailedError('TRAINER_EXITED', `exit ${code ?? signal}: ${lastLine.slice(0, 300)}`));
    });
  });
}

function adapterOf(exported: Record<string, unknown>): TrainedAdapter {
  const lora = exported.lora as TrainedAdapter['lora'];
  const replay = exported.replay as TrainedAdapter['replay'];
  return {
    dir: String(exported.adapterDir),
    manifestPath: String(exported.adapterManifest),
    sha256: String(exported.adapterSha256),
    bytes: Number(exported.adapterBytes),
    baseOnnxSha256: String(exported.baseOnnxSha256),
    lora: { rank: lora.rank, alpha: lora.alpha, targets: lora.targets, parameters: lora.parameters },
    replay: {
      ratio: replay.ratio,
      seed: replay.seed,
      count: replay.count,
      countsPerTask: replay.countsPerTask,
      impressionForm: replay.impressionForm ?? null,
    },
    feedbackCount: Number(exported.feedbackCount),
  };
}
