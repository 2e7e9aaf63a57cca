import 'reflect-metadata';
import { mkdtempSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { silentLogger } from '@radflow/model-runtime';
import { ProblemDetailsFilter } from '@radflow/platform';
import { InferenceModule } from './inference.module.ts';
import type { InferenceOptions } from './inference.options.ts';

export const tinyModelDir = fileURLToPath(new URL('../../../models/tiny-random/', import.meta.url));
export const modelCopiesRoot = mkdtempSync(join(tmpdir(), 'radflow-inference-models-'));

/** Parsed JSON bodies: tests read nested fields and assert on them, so they are left untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface RunningInference {
  app: INestApplication;
  url: string;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  get(path: string): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

/** Starts the inference module alone on an ephemeral port, on the real tiny model. */
export async function startInference(options: Partial<InferenceOptions> = {}): Promise<RunningInference> {
  const app = await NestFactory.create(
    InferenceModule.forRoot({
      modelDir: tinyModelDir,
      maxBatch: 8,
      queueLimit: 64,
      threads: 1,
      providers: ['cpu'],
      maxWaitMs: 2,
      defaultDeadlineMs: 15_000,
      allowedModelRoots: [modelCopiesRoot],
      logger: silentLogger,
      ...options,
    }),
    { logger: false },
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    async post(path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
    async get(path) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: await response.json() };
    },
    close: () => app.close(),
  };
}

/** A copy of the tiny model under the allowed reload root, with another manifest version (and name). */
export function modelCopy(version: string, name?: string): string {
  const dir = mkdtempSync(join(modelCopiesRoot, 'model-'));
  cpSync(tinyModelDir, dir, { recursive: true });
  const manifestPath = join(dir, 'radflow-model.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, version, ...(name ? { name } : {}) }, null, 2));
  return dir;
}
