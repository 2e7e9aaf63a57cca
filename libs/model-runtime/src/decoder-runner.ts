import * as ort from 'onnxruntime-node';
import type { DecoderSignature } from './decoder-session.ts';
import type { KvBatch } from './kv-batch.ts';

/** The logits of each row's last position: row r is `data.subarray(r * vocab, (r + 1) * vocab)`. */
export interface LastLogits {
  vocab: number;
  data: Float32Array;
}

export interface StepResult {
  batch: KvBatch;
  logits: LastLogits;
}

type IntType = 'int64' | 'int32';

/** Runs the decoder graph: one prefill of left-padded prompts, then one token per row per step, feeding back the cache. */
export class DecoderRunner {
  private readonly idType: IntType;
  private readonly maskType: IntType;
  private readonly positionType: IntType;

  /**
   * @param maxPrefillLogits Most logits one prefill run may return (rows x tokens x vocabulary): a long prompt on a
   *   large vocabulary (Phi-2: 51,200) is prefilled in chunks over the growing cache instead of materialising
   *   gigabytes of logits of which only the last position is used.
   */
  constructor(
    private readonly session: ort.InferenceSession,
    readonly signature: DecoderSignature,
    private readonly padId: number,
    private readonly vocabSize = 0,
    private readonly maxPrefillLogits = 32 * 1024 * 1024,
  ) {
    this.idType = this.intTypeOf('input_ids');
    this.maskType = this.intTypeOf('attention_mask');
    this.positionType = this.intTypeOf('position_ids');
  }

  private intTypeOf(name: string): IntType {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    return meta && meta.isTensor && meta.type === 'int32' ? 'int32' : 'int64';
  }

  /**
   * Prefills prompts of different lengths together (left padding); returns their cache and last-position logits.
   * `adapters`: each prompt's adapter, fed as `adapter_ids` on every run of these rows when the graph routes them.
   */
  async prefill(
    prompts: readonly number[][],
    adapters: readonly number[] = prompts.map(() => 0),
  ): Promise<StepResult> {
    const rows = prompts.length;
    const length = Math.max(...prompts.map((p) => p.length));
    const ids = this.ints(this.idType, rows * length);
    const mask = this.ints(this.maskType, rows * length);
    const positions = this.ints(this.positionType, rows * length);
    const pads = prompts.map((prompt) => length - prompt.length);
    for (const [r, prompt] of prompts.entries()) {
      const pad = pads[r] ?? 0;
      for (let t = 0; t < length; t += 1) {
        const real = t >= pad;
        set(ids, r * length + t, real ? (prompt[t - pad] as number) : this.padId);
        set(mask, r * length + t, real ? 1 : 0);
        // Hugging Face's convention: padded positions get 1; they are masked out anyway.
        set(positions, r * length + t, real ? t - pad : 1);
      }
    }
    const { numKeyValueHeads: heads, headDim } = this.signature;
    const empty = (): ort.Tensor =>
      this.signature.kvType === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [rows, heads, 0, headDim])
        : new ort.Tensor('float32', new Float32Array(0), [rows, heads, 0, headDim]);
    let past: KvBatch = {
      rows,
      pastLength: 0,
      pads,
      adapters: [...adapters],
      keys: this.signature.pastKeyNames.map(empty),
      values: this.signature.pastValueNames.map(empty),
    };
    const chunk =
      this.vocabSize > 0 && !this.signature.lastPositionLogits
        ? Math.max(1, Math.floor(this.maxPrefillLogits / (rows * this.vocabSize)))
        : length;
    if (chunk >= length) return this.run(past, ids, mask, positions, length, false);
    let result: StepResult | undefined;
    for (let from = 0; from < length; from += chunk) {
      const to = Math.min(length, from + chunk);
      result = await this.run(
        past,
        columns(ids, rows, length, from, to),
        columns(mask, rows, length, 0, to),
        columns(positions, rows, length, from, to),
        to - from,
        from > 0,
      );
      past = result.batch;
    }
    return result as StepResult;
  }

  /** Feeds one new token per row after the cached past. */
  async step(batch: KvBatch, tokens: readonly number[]): Promise<StepResult> {
    const total = batch.pastLength + 1;
    const mask = this.ints(this.maskType, batch.rows * total);
    const positions = this.ints(this.positionType, batch.rows);
    const ids = this.ints(this.idType, batch.rows);
    for (let r = 0; r < batch.rows; r += 1) {
      const pad = batch.pads[r] ?? 0;
      // Left padding: zeros then ones, so each row's mask is one fill.
      if (mask instanceof BigInt64Array) mask.fill(1n, r * total + pad, (r + 1) * total);
      else mask.fill(1, r * total + pad, (r + 1) * total);
      set(positions, r, batch.pastLength - pad);
      set(ids, r, tokens[r] as number);
    }
    return this.run(batch, ids, mask, positions, 1, true);
  }

  private ints(type: IntType, length: number): IntArray {
    return type === 'int64' ? new BigInt64Array(length) : new Int32Array(length);
  }

  private async run(
    past: KvBatch,
    ids: IntArray,
    mask: IntArray,
    positions: IntArray,
    length: number,
    useCache: boolean,
  ): Promise<StepResult> {
    const rows = past.rows;
    const total = past.pastLength + length;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: intTensor(ids, [rows, length]),
      attention_mask: intTensor(mask, [rows, total]),
    };
    if (this.signature.hasPositionIds) feeds.position_ids = intTensor(positions, [rows, length]);
    if (this.signature.hasAdapterIds)
      feeds.adapter_ids = new ort.Tensor('int64', BigInt64Array.from(past.adapters, BigInt), [rows]);
    if (this.signature.hasUseCacheBranch)
      feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([useCache ? 1 : 0]), [1]);
    this.signature.pastKeyNames.forEach((name, layer) => (feeds[name] = past.keys[layer] as ort.Tensor));
    this.signature.pastValueNames.forEach((name, layer) => (feeds[name] = past.values[layer] as ort.Tensor));
    const out = await this.session.run(feeds);
    const logits = out[this.signature.logitsName] as ort.Tensor;
    return {
      batch: {
        rows,
        pastLength: total,
        pads: past.pads,
        adapters: past.adapters,
        keys: this.signature.presentKeyNames.map((name) => out[name] as ort.Tensor),
        values: this.signature.presentValueNames.map((name) => out[name] as ort.Tensor),
      },
      logits: lastPosition(logits, rows, length),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

type IntArray = BigInt64Array | Int32Array;

function set(array: IntArray, index: number, value: number): void {
  if (array instanceof BigInt64Array) array[index] = BigInt(value);
  else array[index] = value;
}

/** Columns [from, to) of a row-major [rows, width] array. */
function columns(values: IntArray, rows: number, width: number, from: number, to: number): IntArray {
  const out =
    values instanceof BigInt64Array
      ? new BigInt64Array(rows * (to - from))
      : new Int32Array(rows * (to - from));
  for (let r = 0; r < rows; r += 1) {
    if (out instanceof BigInt64Array)
      out.set((values as BigInt64Array).subarray(r * width + from, r * width + to), r * (to - from));
    else out.set((values as Int32Array).subarray(r * width + from, r * width + to), r * (to - from));
  }
  return out;
}

function intTensor(values: IntArray, dims: number[]): ort.Tensor {
  return values instanceof BigInt64Array
    ? new ort.Tensor('int64', values, dims)
    : new ort.Tensor('int32', values, dims);
}

/**
 * Copies each row's last-position logits out of [rows, length, vocab] (float16 widened to float32). A graph that
 * returns the last position only has length 1 there whatever was fed.
 */
function lastPosition(logits: ort.Tensor, rows: number, fed: number): LastLogits {
  const vocab = logits.dims[2] ?? 0;
  const length = logits.dims[1] ?? fed;
  if (length === 1 && logits.type === 'float32') return { vocab, data: logits.data as Float32Array };
  const out = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r += 1) {
    const from = (r * length + length - 1) * vocab;
    if (logits.type === 'float32') {
      out.set((logits.data as Float32Array).subarray(from, from + vocab), r * vocab);
    } else {
      // ONNX Runtime hands float16 out as raw bits (Uint16Array) or, where the platform has it, a Float16Array.
      const half = logits.data as ArrayLike<number>;
      const raw = half instanceof Uint16Array;
      for (let v = 0; v < vocab; v += 1) {
        const value = half[from + v] as number;
        out[r * vocab + v] = raw ? halfToFloat(value) : value;
      }
    }
  }
  return { vocab, data: out };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
