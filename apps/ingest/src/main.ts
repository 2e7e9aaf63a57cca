import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { ingestApp } from './ingest.module.ts';

await startHost([ingestApp], loadConfig(), { processName: 'radflow-ingest' });
