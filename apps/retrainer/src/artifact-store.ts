import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MANIFEST_FILE = 'radflow-model.json';
/** An adapter version's files in its artifact folder; `merged/` is a derived cache rebuilt from base + adapter. */
export const ADAPTER_DIR = 'adapter';
export const ADAPTER_MANIFEST_FILE = 'adapter-manifest.json';
export const MERGED_DIR = 'merged';

/** What the trainer wrote for an adapter version: the adapter, its manifest and the merged model directory. */
export interface AdapterOutput {
  adapterDir: string;
  manifestPath: string;
  mergedDir: string;
}

export interface StoredAdapter {
  /** `<root>/<name>/<version>/`: adapter/, adapter-manifest.json, merged/. */
  dir: string;
  adapterDir: string;
  manifestPath: string;
  /** What serves and is evaluated (the registry's modelDir): the base with the adapter merged in, a derived cache. */
  modelDir: string;
}

/** A name or version that cannot be a folder name (it would escape the store or clash). */
export class ArtifactNameError extends Error {
  constructor(readonly field: string) {
    super(`${field} may hold only letters, digits and . _ + - (and not start with a dot)`);
    this.name = 'ArtifactNameError';
  }
}

export interface ModelManifestSummary {
  name: string;
  version: string;
  [field: string]: unknown;
}

export function readModelManifest(modelDir: string): ModelManifestSummary {
  return JSON.parse(readFileSync(join(modelDir, MANIFEST_FILE), 'utf8')) as ModelManifestSummary;
}

// `~` is allowed after the first character: a radiologist's model is `<shared>~r-<key>` (@radflow/reports).
const SAFE = /^[A-Za-z0-9_+-][A-Za-z0-9._+~-]*$/;

/**
 * The registry's artifact folder: `<root>/<name>/<version>/`, written once per version. A base is a copy of its model
 * directory; a fine-tuned version is its adapter (`adapter/`, `adapter-manifest.json`), with the merged model
 * directory beside it in `merged/` (derived: `finetune.py --rebuild` writes it again from the base and the adapter).
 * Every manifest names the folder's name and version. An object store takes this place in production.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  dirOf(name: string, version: string): string {
    if (!SAFE.test(name)) throw new ArtifactNameError('model name');
    if (!SAFE.test(version)) throw new ArtifactNameError('model version');
    return resolve(this.root, name, version);
  }

  has(name: string, version: string): boolean {
    const dir = this.dirOf(name, version);
    return existsSync(join(dir, MANIFEST_FILE)) || existsSync(join(dir, ADAPTER_MANIFEST_FILE));
  }

  /**
   * Stores an adapter version: the adapter and its manifest (the artifact) and the merged model directory beside it
   * (the cache that serves), staged and renamed like `put`. An existing version is kept as it is.
   */
  putAdapter(name: string, version: string, output: AdapterOutput): StoredAdapter {
    const target = this.dirOf(name, version);
    const stored: StoredAdapter = {
      dir: target,
      adapterDir: join(target, ADAPTER_DIR),
      manifestPath: join(target, ADAPTER_MANIFEST_FILE),
      modelDir: join(target, MERGED_DIR),
    };
    if (this.has(name, version)) return stored;
    const staging = `${target}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    cpSync(output.adapterDir, join(staging, ADAPTER_DIR), { recursive: true });
    const manifest = JSON.parse(readFileSync(output.manifestPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      join(staging, ADAPTER_MANIFEST_FILE),
      `${JSON.stringify({ ...manifest, name, version }, null, 2)}\n`,
    );
    cpSync(output.mergedDir, join(staging, MERGED_DIR), { recursive: true });
    const merged = { ...readModelManifest(join(staging, MERGED_DIR)), name, version };
    writeFileSync(join(staging, MERGED_DIR, MANIFEST_FILE), `${JSON.stringify(merged, null, 2)}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return stored;
  }

  /**
   * Copies a model directory in as `name` `version`; the copy is staged and renamed, so a crash never leaves a
   * half-written version behind. An existing version is kept as it is (versions are immutable).
   */
  put(name: string, version: string, sourceDir: string, manifestExtra: Record<string, unknown> = {}): string {
    const target = this.dirOf(name, version);
    if (this.has(name, version)) return target;
    const staging = `${target}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(resolve(target, '..'), { recursive: true });
    cpSync(sourceDir, staging, { recursive: true });
    const manifest = { ...readModelManifest(staging), ...manifestExtra, name, version };
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return target;
  }
}
