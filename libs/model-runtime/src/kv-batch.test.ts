import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { concatBatches, selectRows, type KvBatch } from './kv-batch.ts';

// One layer, 1 head, head dim 1: the tensor data is simply [row][position].
function batch(rows: number[][], pads: number[], adapters = rows.map(() => 0)): KvBatch {
  const past = rows[0]?.length ?? 0;
  const tensor = () => new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 1, past, 1]);
  return { rows: rows.length, pastLength: past, pads, adapters, keys: [tensor()], values: [tensor()] };
}

const data = (b: KvBatch) => Array.from(b.keys[0]?.data as Float32Array);

describe('KV batch bookkeeping', () => {
  it('drops rows and the leading columns that are padding in every kept row', () => {
    const b = batch(
      [
        [0, 0, 1, 2],
        [0, 5, 6, 7],
        [9, 8, 7, 6],
      ],
      [2, 1, 0],
      [0, 2, 1],
    );
    const kept = selectRows(b, [1, 0]);
    expect(kept.pastLength).toBe(3);
    expect(kept.pads).toEqual([0, 1]);
    expect(kept.adapters).toEqual([2, 0]); // each row keeps its adapter
    expect(data(kept)).toEqual([5, 6, 7, 0, 1, 2]);
  });

  it('stacks batches of different lengths with extra left padding on the shorter', () => {
    const merged = concatBatches(
      batch([[1, 2, 3]], [0], [1]),
      batch(
        [
          [0, 4],
          [5, 6],
        ],
        [1, 0],
        [0, 1],
      ),
    );
    expect(merged.pastLength).toBe(3);
    expect(merged.pads).toEqual([0, 2, 1]);
    expect(merged.adapters).toEqual([1, 0, 1]);
    expect(data(merged)).toEqual([1, 2, 3, 0, 0, 4, 0, 5, 6]);
    expect(merged.keys[0]?.dims).toEqual([3, 1, 3, 1]);
  });
});
