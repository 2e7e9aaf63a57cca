import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { enricherApp } from './enricher.module.ts';

await startHost([enricherApp], loadConfig(), { processName: 'radflow-enricher' });
