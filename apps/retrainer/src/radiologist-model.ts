import { parseRadiologistModelName } from '@radflow/reports';
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

/** What drafts a model's reports now: the version as the model's registry names it, and the model that drafts them. */
export interface ServingVersion {
  record: ModelVersionRecord;
  /** The model whose drafts these are: the model itself, or the shared model for a radiologist with none yet. */
  draftedBy: string;
}

/**
 * What serves a model's reports: its own serving version; for a radiologist's model with none of its own yet (their
 * first model in shadow or canary), the shared model's serving version, registered under the radiologist's name
 * (sharedVersionForRadiologist) so that scores and decisions can name it. Undefined when neither serves.
 */
export async function servingOf(
  parts: Pick<RetrainingParts, 'versions' | 'deployments'>,
  name: string,
): Promise<ServingVersion | undefined> {
  const own = await parts.deployments.current(name);
  if (own) return { record: own, draftedBy: name };
  const sharedName = parseRadiologistModelName(name)?.sharedModelName;
  const shared = sharedName === undefined ? undefined : await parts.deployments.current(sharedName);
  if (!shared) return undefined;
  return { record: await sharedVersionForRadiologist(parts, name, shared), draftedBy: shared.name };
}
