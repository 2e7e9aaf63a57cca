import { createServer, type Server } from 'node:http';
import type { Logger } from '@radflow/config';
import type { PlatformMetrics } from './platform-metrics.ts';

/**
 * GET /metrics on a port of its own, for a host whose apps serve no HTTP (ingest, enricher or writeback alone). A
 * port already taken is logged and skipped: metrics must never keep the pipeline from starting.
 */
export async function startMetricsServer(
  metrics: PlatformMetrics,
  port: number,
  host: string,
  logger: Logger,
): Promise<{ port: number; close(): Promise<void> } | undefined> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      logger.warn({ port, code: error.code }, 'metrics port unavailable; GET /metrics is not served');
      resolve(false);
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!bound) return undefined;
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
