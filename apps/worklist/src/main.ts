import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { worklistApp } from './worklist.module.ts';

await startHost([worklistApp], loadConfig(), { processName: 'radflow-worklist' });
