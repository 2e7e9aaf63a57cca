import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { Logger, RadflowConfig } from '@radflow/config';
import { APP_FILTER } from '@nestjs/core';
import { METRICS, MetricsController, ProblemDetailsFilter, type PlatformMetrics } from '@radflow/platform';
import { OidcSignIn } from '../auth/oidc.ts';
import { SessionTokens } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';
import { WebAssets } from '../web-assets.ts';
import { WorklistHub } from '../worklist-hub.ts';
import { WorklistService } from '../worklist.service.ts';
import { ApiController } from './api.controller.ts';
import { AuthController } from './auth.controller.ts';
import { PageController } from './page.controller.ts';
import { securityMiddleware } from './security.middleware.ts';
import { SessionGuard } from './session.guard.ts';
import { WORKLIST_CONFIG, WORKLIST_LOGGER } from './tokens.ts';

export interface WorklistHttpDependencies {
  config: RadflowConfig['worklist'];
  logger: Logger;
  users: LocalUsers;
  tokens: SessionTokens;
  assets: WebAssets;
  worklist: WorklistService;
  hub: WorklistHub;
  oidc?: OidcSignIn;
  /** The host's registry: GET /metrics on the page's port too, for a scraper that only reaches this listener. */
  metrics?: PlatformMetrics;
}

/** The worklist's own HTTP application (its own port), sharing the host app's services. */
@Module({})
export class WorklistHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(securityMiddleware).forRoutes('*');
  }

  static forRoot(deps: WorklistHttpDependencies): DynamicModule {
    return {
      module: WorklistHttpModule,
      controllers: [
        AuthController,
        ApiController,
        PageController,
        ...(deps.metrics ? [MetricsController] : []),
      ],
      providers: [
        { provide: WORKLIST_CONFIG, useValue: deps.config },
        { provide: WORKLIST_LOGGER, useValue: deps.logger },
        { provide: LocalUsers, useValue: deps.users },
        { provide: SessionTokens, useValue: deps.tokens },
        { provide: WebAssets, useValue: deps.assets },
        { provide: WorklistService, useValue: deps.worklist },
        { provide: WorklistHub, useValue: deps.hub },
        ...(deps.oidc ? [{ provide: OidcSignIn, useValue: deps.oidc }] : []),
        ...(deps.metrics ? [{ provide: METRICS, useValue: deps.metrics }] : []),
        SessionGuard,
        // The page's own HTTP host: its errors answer as every radflow API's do (application/problem+json).
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(deps.logger) },
      ],
    };
  }
}
