import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from './errors.ts';

/** What the decoding loop needs from a Hugging Face config.json (Phi, Phi-2 "phi-msft", GPT-2 style names). */
export interface DecoderConfig {
  numLayers: number;
  numKeyValueHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  eosTokenIds: number[];
  padTokenId: number | undefined;
}

function firstNumber(raw: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = raw[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

export function readDecoderConfig(dir: string, file: string): DecoderConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(dir, `${file} is unreadable (${(error as Error).message})`);
  }
  const numLayers = firstNumber(raw, ['num_hidden_layers', 'n_layer', 'num_layers']);
  const numHeads = firstNumber(raw, ['num_attention_heads', 'n_head']);
  const hidden = firstNumber(raw, ['hidden_size', 'n_embd', 'd_model']);
  const numKeyValueHeads = firstNumber(raw, ['num_key_value_heads']) ?? numHeads;
  const headDim = firstNumber(raw, ['head_dim']) ?? (hidden && numHeads ? hidden / numHeads : undefined);
  if (!numLayers || !numKeyValueHeads || !headDim || !Number.isInteger(headDim)) {
    throw new ModelLoadError(
      dir,
      `${file} lacks num_hidden_layers / num_attention_heads / hidden_size (or head_dim)`,
    );
  }
  return {
    numLayers,
    numKeyValueHeads,
    headDim,
    vocabSize: firstNumber(raw, ['vocab_size']) ?? 0,
    maxPositionEmbeddings: firstNumber(raw, ['max_position_embeddings', 'n_positions']) ?? 0,
    eosTokenIds: ids(raw.eos_token_id),
    padTokenId: firstNumber(raw, ['pad_token_id']),
  };
}
