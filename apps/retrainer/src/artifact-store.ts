import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MANIFEST_FILE = 'radflow-model.json';

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

const SAFE = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;

/**
 * The registry's artifact folder: `<root>/<name>/<version>/`, written once per version (a copy of the model
 * directory, its manifest naming that name and version). An object store takes this place in production.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  dirOf(name: string, version: string): string {
    if (!SAFE.test(name)) throw new ArtifactNameError('model name');
    if (!SAFE.test(version)) throw new ArtifactNameError('model version');
    return resolve(this.root, name, version);
  }

  has(name: string, version: string): boolean {
    return existsSync(join(this.dirOf(name, version), MANIFEST_FILE));
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
