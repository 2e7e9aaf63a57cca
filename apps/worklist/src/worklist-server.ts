import {
  Inject,
  Injectable,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger, RadflowConfig } from '@radflow/config';
import { CONFIG, httpMetricsMiddleware, LOGGER, METRICS, type PlatformMetrics } from '@radflow/platform';
import { OidcSignIn } from './auth/oidc.ts';
import { SessionTokens } from './auth/sessions.ts';
import { LocalUsers } from './auth/users.ts';
import { WorklistHttpModule } from './http/worklist-http.module.ts';
import { WebAssets } from './web-assets.ts';
import { WorklistHub } from './worklist-hub.ts';
import { WorklistService } from './worklist.service.ts';

/** Starts the worklist page on its own port (WORKLIST_HOST:WORKLIST_PORT) when the host starts, stops it with the host. */
@Injectable()
export class WorklistServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private app: INestApplication | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(WorklistService) private readonly worklist: WorklistService,
    @Inject(WorklistHub) private readonly hub: WorklistHub,
    @Inject(METRICS) private readonly metrics: PlatformMetrics,
  ) {
    this.logger = logger.child({ stage: 'worklist' });
  }

  /** The port actually bound (WORKLIST_PORT=0 picks a free one). */
  get port(): number {
    const address = this.app?.getHttpServer().address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.worklist;
    const users = LocalUsers.fromFile(settings.usersFile);
    if (!settings.sessionSecret)
      this.logger.warn(
        'WORKLIST_SESSION_SECRET is not set: a random key per process, sessions end on restart',
      );
    const tokens = new SessionTokens(settings.sessionSecret, settings.sessionTtlMinutes * 60_000);
    const oidc = settings.oidc ? new OidcSignIn(settings.oidc, tokens) : undefined;
    if (users.size === 0 && !oidc)
      throw new Error(
        'the worklist has no way to sign in: give WORKLIST_USERS_FILE users or set WORKLIST_OIDC_ISSUER',
      );
    const assets = await WebAssets.load();
    this.app = await NestFactory.create(
      WorklistHttpModule.forRoot({
        config: settings,
        logger: this.logger,
        users,
        tokens,
        assets,
        worklist: this.worklist,
        hub: this.hub,
        metrics: this.metrics,
      }),
      { logger: ['error', 'warn'], abortOnError: false },
    );
    this.app.use(httpMetricsMiddleware(this.metrics, 'worklist'));
    await this.app.listen(settings.port, settings.host);
    this.logger.info({ port: this.port, users: users.size, oidc: Boolean(oidc) }, 'worklist page ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
