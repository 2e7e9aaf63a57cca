import { join, resolve } from 'node:path';
import { repoRoot } from './repo-root.ts';
import type { Env } from './env-reader.ts';

/**
 * The data radflow ships with: `data/` at the repository root (Open-i reports and NegBio labels, the HL7 v2 and
 * FHIR interoperability examples; see data/README.md). `RADFLOW_DATA_DIR` points elsewhere, as it does for the
 * Python trainer (models/training/radflow_train/paths.py).
 */
export function dataDir(env: Env = process.env): string {
  const override = env['RADFLOW_DATA_DIR']?.trim();
  return override ? resolve(override) : join(repoRoot, 'data');
}

/** A file or folder under the data directory, e.g. `dataPath('openi/reports.csv')`. */
export function dataPath(relative: string, env: Env = process.env): string {
  return join(dataDir(env), relative);
}
