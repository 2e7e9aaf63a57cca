import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Get, Module } from '@nestjs/common';
import { loadConfig, repoRoot } from '@radflow/config';
import { gatewayApp } from '@radflow/gateway';
import { startHost, type RadflowApp, type RunningHost } from '@radflow/platform';
import { inferenceApp } from '../../apps/inference/src/inference.app.ts';

/**
 * Issue 14: apps composed in one host share one HTTP server. The gateway owns GET /health; the inference app's
 * routes live under /inference (GET /inference/health names the served model); a route two apps declare fails the
 * start instead of silently answering for one of them.
 */
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-routes-${randomUUID().slice(0, 8)}`,
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  MODEL_DIR: `${repoRoot}models/tiny-random`,
  LOG_LEVEL: 'error',
});
let host: RunningHost;

beforeAll(async () => {
  host = await startHost([gatewayApp, inferenceApp], config, { processName: 'e2e-routes' });
}, 120_000);

afterAll(async () => {
  await host?.close();
});

const get = async (path: string) => {
  const response = await fetch(`http://127.0.0.1:${host.httpPort}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('HTTP routes of apps composed in one host', () => {
  it("GET /health is the gateway's, GET /inference/health the model service's", async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    const inference = await get('/inference/health');
    expect(inference.status).toBe(200);
    expect(inference.body).toMatchObject({ status: 'ok', model: { name: expect.any(String) } });
    expect((await get('/inference/ready')).body).toMatchObject({ ready: true });
  });

  it('refuses to start apps that declare the same route', async () => {
    @Controller()
    class ClashingController {
      @Get('health')
      health() {
        return { status: 'clash' };
      }
    }
    @Module({ controllers: [ClashingController] })
    class ClashingModule {}
    const clashing: RadflowApp = { name: 'clashing', module: () => ClashingModule };
    await expect(
      startHost([gatewayApp, clashing], config, { processName: 'e2e-routes-clash' }),
    ).rejects.toThrow(/health/);
  });
});
