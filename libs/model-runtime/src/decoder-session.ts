import * as ort from 'onnxruntime-node';
import type { DecoderConfig } from './decoder-config.ts';
import { ModelLoadError } from './errors.ts';
import type { RuntimeLogger } from './logger.ts';

export type ExecutionProvider = 'cuda' | 'cpu' | 'tensorrt' | 'webgpu' | 'dml' | 'coreml';

export interface SessionOptions {
  /** Providers in order of preference, e.g. ['cuda', 'cpu']: the first that loads wins; 'cpu' always remains. */
  providers: string[];
  /** Intra-op threads (per operator); 0 lets ONNX Runtime pick. */
  threads: number;
}

/**
 * The decoder's I/O names as found in the session, so both Optimum layouts load unchanged: "decoder with past"
 * (model.onnx / decoder_with_past) and the older merged export (decoder_model_merged.onnx, `use_cache_branch`).
 */
export interface DecoderSignature {
  numLayers: number;
  numKeyValueHeads: number;
  headDim: number;
  pastKeyNames: string[];
  pastValueNames: string[];
  presentKeyNames: string[];
  presentValueNames: string[];
  hasPositionIds: boolean;
  hasUseCacheBranch: boolean;
  /** The graph takes `adapter_ids` [batch] (int64): LoRA adapters routed per row (radflow_train/routed_lora.py). */
  hasAdapterIds: boolean;
  kvType: 'float32' | 'float16';
  logitsName: string;
  /**
   * The graph returns the last position's logits only ([batch, 1, vocab], static 1), as radflow-cxr's export does:
   * prefill then needs no chunking to bound the size of the logits.
   */
  lastPositionLogits: boolean;
}

export interface LoadedSession {
  session: ort.InferenceSession;
  provider: string;
  signature: DecoderSignature;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const PRESENT = /^present\.(\d+)\.(key|value)$/;

function indexed(names: readonly string[], pattern: RegExp, kind: 'key' | 'value'): string[] {
  return names
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((entry) => entry.match?.[2] === kind)
    .sort((a, b) => Number(a.match?.[1]) - Number(b.match?.[1]))
    .map((entry) => entry.name);
}

function tensorShape(session: ort.InferenceSession, name: string): ReadonlyArray<number | string> {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.shape : [];
}

function outputShape(session: ort.InferenceSession, name: string): ReadonlyArray<number | string> {
  const meta = session.outputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.shape : [];
}

export function readSignature(
  dir: string,
  session: ort.InferenceSession,
  config: DecoderConfig,
): DecoderSignature {
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  for (const required of ['input_ids', 'attention_mask']) {
    if (!inputs.includes(required))
      throw new ModelLoadError(dir, `ONNX model has no "${required}" input (inputs: ${inputs.join(', ')})`);
  }
  const pastKeyNames = indexed(inputs, PAST, 'key');
  const pastValueNames = indexed(inputs, PAST, 'value');
  const presentKeyNames = indexed(outputs, PRESENT, 'key');
  const presentValueNames = indexed(outputs, PRESENT, 'value');
  const numLayers = pastKeyNames.length;
  if (
    numLayers === 0 ||
    [pastValueNames, presentKeyNames, presentValueNames].some((names) => names.length !== numLayers)
  ) {
    throw new ModelLoadError(
      dir,
      'ONNX model is not a decoder with past: past_key_values.N.key/value inputs and present.N.key/value outputs must match',
    );
  }
  if (!outputs.includes('logits')) throw new ModelLoadError(dir, 'ONNX model has no "logits" output');
  // Heads and head size come from the graph when they are static; config.json otherwise.
  const shape = tensorShape(session, pastKeyNames[0] as string);
  const numKeyValueHeads = typeof shape[1] === 'number' ? shape[1] : config.numKeyValueHeads;
  const headDim = typeof shape[3] === 'number' ? shape[3] : config.headDim;
  const meta = session.inputMetadata.find((m) => m.name === pastKeyNames[0]);
  const kvType = meta && meta.isTensor && meta.type === 'float16' ? 'float16' : 'float32';
  return {
    numLayers,
    numKeyValueHeads,
    headDim,
    pastKeyNames,
    pastValueNames,
    presentKeyNames,
    presentValueNames,
    hasPositionIds: inputs.includes('position_ids'),
    hasUseCacheBranch: inputs.includes('use_cache_branch'),
    hasAdapterIds: inputs.includes('adapter_ids'),
    kvType,
    logitsName: 'logits',
    lastPositionLogits: outputShape(session, 'logits')[1] === 1,
  };
}

/**
 * Creates the session on the first requested provider that loads (CUDA needs its provider libraries; without them
 * ONNX Runtime refuses and we fall back), logging the choice once.
 */
export async function createDecoderSession(
  dir: string,
  modelPath: string,
  config: DecoderConfig,
  options: SessionOptions,
  logger: RuntimeLogger,
): Promise<LoadedSession> {
  const requested =
    options.providers.length > 0 ? options.providers.map((p) => p.trim().toLowerCase()) : ['cpu'];
  const candidates = requested.includes('cpu') ? requested : [...requested, 'cpu'];
  const failures: string[] = [];
  // ONNX Runtime prints a native error for a provider library it cannot open; on CPU-only hosts that is expected and
  // the choice is logged below instead. Its env log level only takes effect before the first session is created.
  if (candidates.some((p) => p !== 'cpu')) ort.env.logLevel = 'fatal';
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // A missing provider library is expected on CPU-only hosts; we log the choice ourselves.
        ...(provider === 'cpu' ? {} : { logSeverityLevel: 4 as const }),
      });
      const signature = readSignature(dir, session, config);
      logger.info(
        {
          provider,
          requested,
          failed: failures,
          threads: options.threads,
          layers: signature.numLayers,
          kvType: signature.kvType,
          mergedExport: signature.hasUseCacheBranch,
        },
        `execution provider ${provider}`,
      );
      return { session, provider, signature };
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      failures.push(`${provider}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new ModelLoadError(dir, `no execution provider could load the model (${failures.join('; ')})`);
}
