import { ModelRegistryError, type ModelVersionRecord } from '@radflow/store';
import type { RetrainingParts } from './retraining-run.ts';

/**
 * What serves a radiologist's reports while their model (`<shared>~r-<key>`) has no promoted version of its own: the
 * shared model's serving version, registered under the radiologist's name (same artifact, no copy) so that their gate
 * decisions and shadow scores can name it. It is never deployed under their name: a deployment would route their
 * reports to a pinned copy of the shared model and keep them from its next version.
 */
export async function sharedVersionForRadiologist(
  parts: Pick<RetrainingParts, 'versions'>,
  name: string,
  shared: ModelVersionRecord,
): Promise<ModelVersionRecord> {
  const registered = await parts.versions.get(name, shared.version);
  if (registered) return registered;
  try {
    return await parts.versions.register({
      name,
      version: shared.version,
      modelDir: shared.modelDir,
      status: 'registered',
      baseName: shared.name,
      baseVersion: shared.version,
      training: { source: `${shared.name}@${shared.version}` },
    });
  } catch (error) {
    // Registered meanwhile by the shadow stage or another run: the same record.
    if (error instanceof ModelRegistryError && error.code === 'VERSION_EXISTS')
      return (await parts.versions.get(name, shared.version))!;
    throw error;
  }
}
