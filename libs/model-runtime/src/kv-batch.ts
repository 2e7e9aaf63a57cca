import * as ort from 'onnxruntime-node';

/** float32 caches, or float16 ones as raw bits (Uint16Array) or a Float16Array, whichever ONNX Runtime hands out. */
type KvData = Float32Array | Uint16Array;

/**
 * The KV cache of a batch of sequences, left padded: row r's first `pads[r]` positions are padding (masked out),
 * the rest are real tokens. Tensors are [batch, kv heads, pastLength, head dim], one key and one value per layer.
 */
export interface KvBatch {
  rows: number;
  pastLength: number;
  pads: number[];
  /** Row r's adapter, for a graph whose adapters are routed per row (`adapter_ids`); all 0 otherwise. */
  adapters: number[];
  keys: ort.Tensor[];
  values: ort.Tensor[];
}

function dataOf(tensor: ort.Tensor): KvData {
  return tensor.data as KvData;
}

function emptyLike(data: KvData, length: number): KvData {
  // Same element type as the source, so values are copied bit for bit.
  const Typed = data.constructor as new (length: number) => KvData;
  return new Typed(length);
}

/** Copies rows of one cache tensor into another, shifting each right by `shift[r]` positions (more left padding). */
function copyRows(
  src: ort.Tensor,
  srcRows: number[],
  srcFrom: number,
  dst: KvData,
  dstRowOffset: number,
  dstLength: number,
  shifts: number[],
): void {
  const [, heads = 0, srcLength = 0, headDim = 0] = src.dims;
  const data = dataOf(src);
  const keep = srcLength - srcFrom;
  for (const [i, row] of srcRows.entries()) {
    const shift = shifts[i] ?? 0;
    for (let h = 0; h < heads; h += 1) {
      const from = ((row * heads + h) * srcLength + srcFrom) * headDim;
      const to = (((dstRowOffset + i) * heads + h) * dstLength + shift) * headDim;
      dst.set(data.subarray(from, from + keep * headDim), to);
    }
  }
}

/** Keeps only `rows` (in that order) and drops leading positions that are padding in every kept row. */
export function selectRows(batch: KvBatch, rows: number[]): KvBatch {
  if (rows.length === batch.rows && rows.every((row, i) => row === i)) return batch;
  const pads = rows.map((row) => batch.pads[row] ?? 0);
  const cut = pads.length === 0 ? 0 : Math.min(...pads);
  const pastLength = batch.pastLength - cut;
  const take = (tensor: ort.Tensor): ort.Tensor => {
    const [, heads = 0, , headDim = 0] = tensor.dims;
    const out = emptyLike(dataOf(tensor), rows.length * heads * pastLength * headDim);
    copyRows(
      tensor,
      rows,
      cut,
      out,
      0,
      pastLength,
      rows.map(() => 0),
    );
    return new ort.Tensor(tensor.type, out, [rows.length, heads, pastLength, headDim]);
  };
  return {
    rows: rows.length,
    pastLength,
    pads: pads.map((pad) => pad - cut),
    adapters: rows.map((row) => batch.adapters[row] ?? 0),
    keys: batch.keys.map(take),
    values: batch.values.map(take),
  };
}

/** Stacks two batches; the shorter one gets more left padding so both share one past length. */
export function concatBatches(a: KvBatch, b: KvBatch): KvBatch {
  if (a.rows === 0) return b;
  if (b.rows === 0) return a;
  const pastLength = Math.max(a.pastLength, b.pastLength);
  const shiftA = pastLength - a.pastLength;
  const shiftB = pastLength - b.pastLength;
  const join = (ta: ort.Tensor, tb: ort.Tensor): ort.Tensor => {
    const [, heads = 0, , headDim = 0] = ta.dims;
    const out = emptyLike(dataOf(ta), (a.rows + b.rows) * heads * pastLength * headDim);
    copyRows(
      ta,
      range(a.rows),
      0,
      out,
      0,
      pastLength,
      a.pads.map(() => shiftA),
    );
    copyRows(
      tb,
      range(b.rows),
      0,
      out,
      a.rows,
      pastLength,
      b.pads.map(() => shiftB),
    );
    return new ort.Tensor(ta.type, out, [a.rows + b.rows, heads, pastLength, headDim]);
  };
  return {
    rows: a.rows + b.rows,
    pastLength,
    pads: [...a.pads.map((pad) => pad + shiftA), ...b.pads.map((pad) => pad + shiftB)],
    adapters: [...a.adapters, ...b.adapters],
    keys: a.keys.map((key, layer) => join(key, b.keys[layer] as ort.Tensor)),
    values: a.values.map((value, layer) => join(value, b.values[layer] as ort.Tensor)),
  };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
