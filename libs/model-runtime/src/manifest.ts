import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpecialTokens } from '@radflow/prompts';
import { ModelLoadError } from './errors.ts';
import { readManifestAdapters, type ManifestAdapters } from './manifest-adapters.ts';

/** radflow-model.json: what a model directory holds and how to prompt it. */
export interface ModelManifest {
  name: string;
  version: string;
  architecture: string;
  onnx: { model: string; quantized?: string };
  tokenizer: string;
  config: string;
  specialTokens: SpecialTokens;
  maxLength: number;
  tasks: string[];
  promptTemplates?: string;
  card?: string;
  /** LoRA adapters routed per row in the graph, and which task each answers; absent for a single (merged) model. */
  adapters?: ManifestAdapters;
  [extra: string]: unknown;
}

export const MANIFEST_FILE = 'radflow-model.json';

function requireString(dir: string, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ModelLoadError(dir, `${MANIFEST_FILE}: "${field}" must be a non-empty string`);
  return value;
}

/** Reads and checks a model directory's manifest; every referenced file must exist. */
export function readManifest(dir: string): ModelManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new ModelLoadError(dir, `${MANIFEST_FILE} not found`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(dir, `${MANIFEST_FILE} is not JSON (${(error as Error).message})`);
  }
  const onnx = (raw.onnx ?? {}) as Record<string, unknown>;
  const special = (raw.specialTokens ?? {}) as Record<string, unknown>;
  const manifest: ModelManifest = {
    ...raw,
    name: requireString(dir, raw.name, 'name'),
    version: requireString(dir, raw.version, 'version'),
    architecture: typeof raw.architecture === 'string' ? raw.architecture : 'unknown',
    onnx: {
      model: requireString(dir, onnx.model, 'onnx.model'),
      ...(typeof onnx.quantized === 'string' ? { quantized: onnx.quantized } : {}),
    },
    tokenizer: requireString(dir, raw.tokenizer ?? 'tokenizer.json', 'tokenizer'),
    config: requireString(dir, raw.config ?? 'config.json', 'config'),
    specialTokens: {
      instruct: requireString(dir, special.instruct, 'specialTokens.instruct'),
      output: requireString(dir, special.output, 'specialTokens.output'),
      endOfText: requireString(dir, special.endOfText, 'specialTokens.endOfText'),
      pad: typeof special.pad === 'string' ? special.pad : '',
    },
    maxLength: typeof raw.maxLength === 'number' && raw.maxLength > 0 ? raw.maxLength : 0,
    tasks: Array.isArray(raw.tasks) ? raw.tasks.filter((t): t is string => typeof t === 'string') : [],
  };
  if (raw.adapters !== undefined) manifest.adapters = readManifestAdapters(dir, raw.adapters);
  const files = [manifest.onnx.model, manifest.onnx.quantized, manifest.tokenizer, manifest.config];
  for (const file of files.filter((f): f is string => f !== undefined)) {
    if (!existsSync(join(dir, file)))
      throw new ModelLoadError(dir, `${file} (named in ${MANIFEST_FILE}) not found`);
  }
  return manifest;
}
