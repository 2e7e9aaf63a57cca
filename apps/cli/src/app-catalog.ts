import { enricherApp, triageApp } from '@radflow/enricher';
import { gatewayApp } from '@radflow/gateway';
import { inferenceApp } from '@radflow/inference';
import { ingestApp } from '@radflow/ingest';
import type { RadflowApp } from '@radflow/platform';
import { retrainerApp, retrainerCanaryApp, retrainerShadowApp } from '@radflow/retrainer';
import { worklistApp } from '@radflow/worklist';
import { worklistTaskApp, worklistTaskStatLaneApp, writebackApp } from '@radflow/writeback';

/** Every radflow app, in pipeline order. The embedded default runs all of them in one process. */
export const allApps: RadflowApp[] = [
  gatewayApp,
  ingestApp,
  triageApp,
  worklistTaskStatLaneApp,
  worklistTaskApp,
  inferenceApp,
  enricherApp,
  writebackApp,
  retrainerApp,
  retrainerShadowApp,
  retrainerCanaryApp,
  worklistApp,
];

export function selectApps(names: string[]): RadflowApp[] {
  if (names.length === 0 || names.includes('all')) return allApps;
  return names.map((name) => {
    const app = allApps.find((candidate) => candidate.name === name);
    if (!app)
      throw new Error(`unknown app '${name}': choose from ${allApps.map((a) => a.name).join(', ')}, all`);
    return app;
  });
}
