import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger, loadConfig } from '@radflow/config';
import {
  API_AUTH,
  bodyLimitMiddleware,
  createApiAuth,
  httpMetricsMiddleware,
  METRICS,
  MetricsController,
  PlatformMetrics,
  ProblemDetailsFilter,
} from '@radflow/platform';
import { inferenceOptionsFromConfig } from './inference.options.ts';
import { InferenceModule } from './inference.module.ts';

// Runs the model service alone (INFERENCE_PORT, default 8090); the all-in-one host composes InferenceModule instead.
const config = loadConfig();
const metrics = new PlatformMetrics(['inference']);
const bindHost = config.inferenceHost;
const apiAuth = createApiAuth(config.api.auth, bindHost, createLogger('radflow-inference', config.logLevel));

/** GET /metrics, the registry and the API authentication of the model service (a radflow host provides them itself). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    { provide: METRICS, useValue: metrics },
    { provide: API_AUTH, useValue: apiAuth },
  ],
  exports: [METRICS, API_AUTH],
})
class StandaloneMetricsModule {}

@Module({ imports: [StandaloneMetricsModule, InferenceModule.forRoot(inferenceOptionsFromConfig(config))] })
class StandaloneInferenceModule {}

const app = await NestFactory.create<NestExpressApplication>(StandaloneInferenceModule, {
  logger: ['error', 'warn'],
});
app.use(httpMetricsMiddleware(metrics, 'inference'));
app.use(bodyLimitMiddleware(config.api.maxBodyBytes));
app.useBodyParser('json', { limit: config.api.maxBodyBytes });
// Every error, the body parser's included, answers as a problem (application/problem+json).
app.useGlobalFilters(new ProblemDetailsFilter(createLogger('radflow-inference', config.logLevel)));
app.enableShutdownHooks();
await app.listen(config.inferencePort, bindHost);
