import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { writebackApp } from './writeback.module.ts';

await startHost([writebackApp], loadConfig(), { processName: 'radflow-writeback' });
