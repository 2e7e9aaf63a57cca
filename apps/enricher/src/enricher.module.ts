import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { clientApiToken, logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { Topics } from '@radflow/events';
import { CONFIG, DATABASE, LOGGER, type RadflowApp } from '@radflow/platform';
import type { Database } from '@radflow/store';
import { EnricherController } from './enricher.controller.ts';
import { EnricherService } from './enricher.service.ts';
import { InProcessTaskRunner } from './in-process-task-runner.ts';
import { RoutedModelClient } from '@radflow/enrichment';
import { HttpTaskRunner } from './model-clients.ts';
import { registryRouter } from './model-router.ts';
import { ruleLabelerProvider } from './rule-labeler.provider.ts';
import { MODEL_CLIENT } from './tokens.ts';

const IN_PROCESS_RUNNER = Symbol('radflow.enricher.in-process-runner');

@Module({
  controllers: [EnricherController],
  providers: [
    EnricherService,
    ruleLabelerProvider,
    {
      provide: IN_PROCESS_RUNNER,
      inject: [ModuleRef, CONFIG],
      useFactory: (moduleRef: ModuleRef, config: RadflowConfig) => new InProcessTaskRunner(moduleRef, config),
    },
    {
      provide: MODEL_CLIENT,
      inject: [CONFIG, IN_PROCESS_RUNNER, DATABASE, LOGGER],
      // INFERENCE_URL set: a separately deployed inference service; unset: the model in this process. Either way
      // each report is routed (its radiologist's model, the canary's share, the serving version) by the registry.
      useFactory: (
        config: RadflowConfig,
        inProcess: InProcessTaskRunner,
        database: Database,
        logger: Logger,
      ) => {
        const log = logger.child({ stage: 'enricher-model-routing' });
        return new RoutedModelClient(
          config.inference.url
            ? new HttpTaskRunner(config.inference.url, () => clientApiToken(config.api.auth))
            : inProcess,
          registryRouter(config, database, log),
          {
            onFallback: (report, route, code) =>
              log.warn(
                {
                  accessionHash: logHash(report.accession),
                  route: route.route,
                  version: route.version,
                  code,
                },
                'routed model version not served; the serving model drafted',
              ),
          },
        );
      },
    },
  ],
})
export class EnricherModule implements OnApplicationShutdown {
  constructor(@Inject(IN_PROCESS_RUNNER) private readonly inProcess: InProcessTaskRunner) {}

  async onApplicationShutdown(): Promise<void> {
    await this.inProcess.close();
  }
}

export const enricherApp: RadflowApp = {
  name: 'enricher',
  module: () => EnricherModule,
  consumes: { stage: 'enricher', topics: [Topics.reportFinalized] },
  produces: [Topics.reportEnriched],
};
