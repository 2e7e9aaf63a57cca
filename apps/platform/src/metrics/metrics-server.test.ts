import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PlatformMetrics } from './platform-metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

function recordingLogger() {
  const warnings: unknown[] = [];
  const logger = { warn: (fields: unknown) => void warnings.push(fields) };
  return { warnings, logger: logger as unknown as Parameters<typeof startMetricsServer>[3] };
}

describe('startMetricsServer (hosts whose apps serve no HTTP)', () => {
  it('answers GET /metrics in the text format and nothing else', async () => {
    const { logger } = recordingLogger();
    const server = (await startMetricsServer(new PlatformMetrics(['ingest']), 0, '127.0.0.1', logger))!;
    try {
      const scraped = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await scraped.text()).toContain('radflow_app_info{app="ingest"} 1');
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('logs a port already taken and lets the host start without it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const { warnings, logger } = recordingLogger();
    try {
      expect(await startMetricsServer(new PlatformMetrics([]), port, '127.0.0.1', logger)).toBeUndefined();
      expect(warnings).toEqual([{ port, code: 'EADDRINUSE' }]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
