import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@radflow/config';
import { httpMetricsMiddleware, METRICS, MetricsController, PlatformMetrics } from '@radflow/platform';
import { InferenceExceptionFilter } from './inference-exception.filter.ts';
import { inferenceOptionsFromConfig } from './inference.options.ts';
import { InferenceModule } from './inference.module.ts';

// Runs the model service alone (INFERENCE_PORT, default 8090); the all-in-one host composes InferenceModule instead.
const config = loadConfig();
const metrics = new PlatformMetrics(['inference']);

/** GET /metrics and the registry the model service adds its series to (a radflow host provides both itself). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS, useValue: metrics }],
  exports: [METRICS],
})
class StandaloneMetricsModule {}

@Module({ imports: [StandaloneMetricsModule, InferenceModule.forRoot(inferenceOptionsFromConfig(config))] })
class StandaloneInferenceModule {}

const app = await NestFactory.create<NestExpressApplication>(StandaloneInferenceModule, {
  logger: ['error', 'warn'],
});
app.use(httpMetricsMiddleware(metrics, 'inference'));
app.useBodyParser('json', { limit: '1mb' });
// Malformed JSON fails in the body parser, before the controller's filter: give it the same error body.
app.useGlobalFilters(app.get(InferenceExceptionFilter));
app.enableShutdownHooks();
await app.listen(config.inferencePort, process.env.INFERENCE_HOST ?? '127.0.0.1');
