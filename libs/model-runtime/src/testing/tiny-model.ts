import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** models/tiny-random: the randomly initialised decoder the Python exporter writes, with PyTorch's greedy ids. */
export const tinyModelDir = fileURLToPath(new URL('../../../../models/tiny-random/', import.meta.url));

export interface ParityCase {
  prompt: string;
  promptIds: number[];
  generatedIds: number[];
}

export interface ParityFile {
  maxNewTokens: number;
  padTokenId: number;
  cases: ParityCase[];
}

export function readParity(dir = tinyModelDir): ParityFile {
  return JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8')) as ParityFile;
}

/** A copy of a model directory with manifest fields changed (another version, other special tokens...). */
export function copyModel(changes: Record<string, unknown>, from = tinyModelDir): string {
  const dir = mkdtempSync(join(tmpdir(), 'radflow-model-'));
  cpSync(from, dir, { recursive: true });
  const manifestPath = join(dir, 'radflow-model.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, ...changes }, null, 2));
  return dir;
}
