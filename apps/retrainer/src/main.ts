import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { retrainerApp } from './retrainer.module.ts';

await startHost([retrainerApp], loadConfig(), { processName: 'radflow-retrainer' });
