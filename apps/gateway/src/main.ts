import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { gatewayApp } from './gateway.module.ts';

await startHost([gatewayApp], loadConfig(), { processName: 'radflow-gateway' });
