import { join, resolve } from 'node:path';
import {
  buildPrompt,
  isTaskName,
  ModelOutputParseError,
  parseAnswer,
  PromptInputError,
  taskCatalog,
  type LabelVocabulary,
  type ParsedAnswer,
  type PromptInputs,
  type TaskName,
} from '@radflow/prompts';
import {
  BatchScheduler,
  type SchedulerCounts,
  type SchedulerOptions,
  type SequenceResult,
} from './batch-scheduler.ts';
import { readDecoderConfig, type DecoderConfig } from './decoder-config.ts';
import { DecoderRunner } from './decoder-runner.ts';
import { createDecoderSession } from './decoder-session.ts';
import { InputTooLongError, ModelLoadError, ModelUnavailableError } from './errors.ts';
import { LabelGrammar } from './label-constraint.ts';
import { WordNgramGuard } from './repetition-guard.ts';
import { silentLogger, type RuntimeLogger } from './logger.ts';
import type { RequestPriority } from './admission-order.ts';
import { readManifest, type ModelManifest } from './manifest.ts';
import type { ServingModel } from './serving-model.ts';
import { TextTokenizer } from './text-tokenizer.ts';

export interface ModelRuntimeOptions extends SchedulerOptions {
  /** Execution providers in order of preference; CPU is always the last resort. */
  providers: string[];
  /** Intra-op threads for the session. */
  threads: number;
  /** Default answer budgets per answer format (labels use their grammar's bound). */
  maxNewTokens?: Partial<Record<'text' | 'added_removed' | 'progression', number>>;
  /** Use the quantized ONNX file named in the manifest, when there is one. */
  quantized?: boolean;
  /**
   * Where ModelHost runs the model: 'worker' (its own thread, so model runs never block the host's event loop) or
   * 'inline' (this thread: no message passing, for tools and benchmarks). ModelHandle itself is always inline.
   */
  isolation?: 'worker' | 'inline';
  logger?: RuntimeLogger;
}

export const defaultRuntimeOptions: ModelRuntimeOptions = {
  providers: ['cpu'],
  threads: 1,
  maxBatch: 8,
  maxWaitMs: 5,
  queueLimit: 256,
  continuous: true,
};

export interface ModelInfo {
  name: string;
  version: string;
}

export interface GenerateOptions {
  /** Time budget from now, in milliseconds. */
  deadlineMs: number;
  maxNewTokens?: number;
  /**
   * Suppress end-of-text until this many tokens (Hugging Face's min_new_tokens): fixed-work benchmarks and callers
   * that need a full-length answer. Capped by the answer budget.
   */
  minNewTokens?: number;
  /** Restrict the answer to a task's label vocabulary. */
  labelsOf?: TaskName;
  /** Abort to stop spending compute on the request (RequestCancelledError). */
  signal?: AbortSignal;
  /** The report's worklist priority: the queue admits STAT first (see admissionOrder). */
  priority?: RequestPriority;
  /** In a model whose adapters are routed per row: the adapter to answer with (runTask picks the task's). */
  adapter?: number;
  /** No word n-gram of this length twice in the answer (WordNgramGuard); runTask sets it for impressions. */
  noRepeatWordNgram?: number;
}

export interface GenerationOutput extends SequenceResult {
  text: string;
  model: ModelInfo;
}

export interface TaskOutput {
  task: TaskName;
  model: ModelInfo;
  /** The decoded answer, before parsing. */
  text: string;
  /** The parsed answer, or null with parseError when the model's output does not fit the task's format. */
  answer: ParsedAnswer | null;
  parseError: { name: string; reason: string } | null;
  usage: { promptTokens: number; generatedTokens: number };
  stopReason: SequenceResult['stopReason'];
  timings: { queuedMs: number; firstTokenMs: number; totalMs: number };
}

const DEFAULT_BUDGET = { text: 160, added_removed: 96, progression: 96 };

/**
 * Tasks whose answers may not repeat a 3-word phrase: a draft impression that says "2. Left lower lobe pneumonia."
 * twice is a decoding failure a radiologist notices at once. The extraction and clean-up tasks copy the report, which
 * may repeat itself, so they are left alone.
 */
const NO_REPEAT_WORD_NGRAM: Partial<Record<TaskName, number>> = { impression: 3 };

/** One loaded model version: ONNX session, tokenizer, its batch scheduler. Answers prompts and Rad-Phi2 tasks. */
export class ModelHandle implements ServingModel {
  private readonly grammars = new Map<TaskName, LabelGrammar>();
  private released = false;

  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly config: DecoderConfig,
    readonly provider: string,
    readonly tokenizer: TextTokenizer,
    private readonly runner: DecoderRunner,
    private readonly scheduler: BatchScheduler,
    private readonly options: ModelRuntimeOptions,
    readonly maxLength: number,
    /** The ONNX file serving (the manifest's quantized one when asked for and present). */
    readonly onnxFile: string,
  ) {}

  static async load(modelDir: string, options: Partial<ModelRuntimeOptions> = {}): Promise<ModelHandle> {
    const settings = { ...defaultRuntimeOptions, ...options };
    const logger = settings.logger ?? silentLogger;
    const dir = resolve(modelDir);
    const manifest = readManifest(dir);
    const config = readDecoderConfig(dir, manifest.config);
    const tokenizer = TextTokenizer.load(dir, manifest, config.eosTokenIds, config.padTokenId);
    const onnxFile =
      settings.quantized && manifest.onnx.quantized ? manifest.onnx.quantized : manifest.onnx.model;
    const { session, provider, signature } = await createDecoderSession(
      dir,
      join(dir, onnxFile),
      config,
      settings,
      logger,
    );
    if (signature.hasAdapterIds !== (manifest.adapters !== undefined)) {
      await session.release();
      throw new ModelLoadError(
        dir,
        signature.hasAdapterIds
          ? `${onnxFile} routes adapters per row (adapter_ids) but radflow-model.json names no "adapters"`
          : `radflow-model.json names "adapters" but ${onnxFile} has no adapter_ids input`,
      );
    }
    const runner = new DecoderRunner(session, signature, tokenizer.padId, config.vocabSize);
    const scheduler = new BatchScheduler(runner, tokenizer.stopIds, settings, logger);
    const maxLength = manifest.maxLength || config.maxPositionEmbeddings || 2048;
    logger.info(
      {
        model: manifest.name,
        version: manifest.version,
        provider,
        onnx: onnxFile,
        maxLength,
        maxBatch: settings.maxBatch,
      },
      'model loaded',
    );
    return new ModelHandle(
      dir,
      manifest,
      config,
      provider,
      tokenizer,
      runner,
      scheduler,
      settings,
      maxLength,
      onnxFile,
    );
  }

  get name(): string {
    return this.manifest.name;
  }

  get version(): string {
    return this.manifest.version;
  }

  get info(): ModelInfo {
    return { name: this.manifest.name, version: this.manifest.version };
  }

  get load(): { queued: number; active: number } {
    return { queued: this.scheduler.queued, active: this.scheduler.active };
  }

  /** How this model's requests ended so far (completed, overloaded, deadlineExceeded, cancelled, failed). */
  get counts(): SchedulerCounts {
    return this.scheduler.counts;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** The prompt for a task, rendered with this model's special tokens. */
  prompt(task: TaskName, inputs: PromptInputs): string {
    return buildPrompt(task, inputs, { specialTokens: this.manifest.specialTokens });
  }

  /** Greedy answer to a raw prompt (special-token strings in it are encoded as their tokens). */
  async generate(prompt: string, options: GenerateOptions): Promise<GenerationOutput> {
    const promptIds = this.tokenizer.encode(prompt);
    const room = this.maxLength - promptIds.length;
    if (room < 1) throw new InputTooLongError(promptIds.length, this.maxLength - 1);
    const grammar = options.labelsOf ? this.grammarFor(options.labelsOf) : undefined;
    const wanted = options.maxNewTokens ?? grammar?.maxTokens ?? DEFAULT_BUDGET.text;
    const maxNewTokens = Math.min(wanted, room);
    const result = await this.scheduler.submit({
      promptIds,
      maxNewTokens,
      ...(options.minNewTokens ? { minNewTokens: Math.min(options.minNewTokens, maxNewTokens) } : {}),
      ...(grammar ? { constraint: grammar.start() } : {}),
      ...(options.noRepeatWordNgram
        ? { repetition: new WordNgramGuard((ids) => this.tokenizer.decode(ids), options.noRepeatWordNgram) }
        : {}),
      deadlineAt: Date.now() + options.deadlineMs,
      deadlineMs: options.deadlineMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      adapter: options.adapter ?? this.manifest.adapters?.default ?? 0,
    });
    return { ...result, text: this.tokenizer.decode(result.tokenIds), model: this.info };
  }

  /** Runs a Rad-Phi2 task: prompt, (constrained) greedy answer, parsed result. */
  async runTask(
    task: string,
    inputs: PromptInputs,
    options: Omit<GenerateOptions, 'labelsOf'>,
  ): Promise<TaskOutput> {
    if (!isTaskName(task)) throw new PromptInputError(task, `unknown task "${task}"`);
    const template = taskCatalog.tasks[task];
    // Label answers are bounded by their grammar (a cut-off label would not parse); budgets apply to free text.
    const budget =
      template.answer === 'labels'
        ? undefined
        : (options.maxNewTokens ??
          this.options.maxNewTokens?.[template.answer] ??
          DEFAULT_BUDGET[template.answer]);
    const output = await this.generate(this.prompt(task, inputs), {
      deadlineMs: options.deadlineMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      ...(budget !== undefined ? { maxNewTokens: budget } : {}),
      ...this.taskGeneration(task),
    });
    let answer: ParsedAnswer | null = null;
    let parseError: TaskOutput['parseError'] = null;
    try {
      answer = parseAnswer(task, output.text, {
        endOfText: this.manifest.specialTokens.endOfText,
        pad: this.manifest.specialTokens.pad,
      });
    } catch (error) {
      const typed = error as ModelOutputParseError;
      parseError = { name: typed.name, reason: typed.reason };
    }
    return {
      task,
      model: output.model,
      text: output.text.trim(),
      answer,
      parseError,
      usage: { promptTokens: output.promptTokens, generatedTokens: output.tokenIds.length },
      stopReason: output.stopReason,
      timings: { queuedMs: output.queuedMs, firstTokenMs: output.firstTokenMs, totalMs: output.totalMs },
    };
  }

  /**
   * How a task's answer is generated, besides its prompt and budget: the task's adapter, its label grammar, its
   * repetition guard. runTask uses it; so must a caller that generates from a task's stored prompt (the retrainer's
   * evaluation of held-out feedback), or a routed model answers with its default adapter instead of the task's.
   */
  taskGeneration(task: TaskName): Pick<GenerateOptions, 'adapter' | 'labelsOf' | 'noRepeatWordNgram'> {
    const noRepeat = NO_REPEAT_WORD_NGRAM[task];
    return {
      adapter: this.adapterFor(task),
      ...(taskCatalog.tasks[task].answer === 'labels' ? { labelsOf: task } : {}),
      ...(noRepeat ? { noRepeatWordNgram: noRepeat } : {}),
    };
  }

  /** The adapter that answers a task (0 in a model without routed adapters). */
  adapterFor(task: string): number {
    const adapters = this.manifest.adapters;
    return adapters ? (adapters.tasks[task] ?? adapters.default) : 0;
  }

  private grammarFor(task: TaskName): LabelGrammar {
    let grammar = this.grammars.get(task);
    if (!grammar) {
      const vocabulary = taskCatalog.tasks[task].vocabulary as LabelVocabulary | undefined;
      if (!vocabulary) throw new PromptInputError(task, `task ${task} has no label vocabulary`);
      grammar = new LabelGrammar(
        vocabulary,
        (text) => this.tokenizer.encodeFragment(text),
        this.tokenizer.endOfTextId,
      );
      this.grammars.set(task, grammar);
    }
    return grammar;
  }

  /** Finishes everything accepted, refuses new work, then frees the ONNX session. */
  async drainAndRelease(): Promise<void> {
    await this.scheduler.drain();
    if (this.released) return;
    this.released = true;
    await this.runner.release();
  }

  assertOpen(): void {
    if (this.released) throw new ModelUnavailableError(`model ${this.name} ${this.version} was released`);
  }
}
