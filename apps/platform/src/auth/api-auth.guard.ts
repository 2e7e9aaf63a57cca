import {
  applyDecorators,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Counter } from 'prom-client';
import { AuthError, wwwAuthenticate, type Principal } from '@radflow/auth';
import { HttpProblem } from '../http-problem/http-problem.ts';
import { METRICS } from '../tokens.ts';
import type { PlatformMetrics } from '../metrics/platform-metrics.ts';
import { API_AUTH, type ApiAuth } from './api-auth.ts';

/** Who may call one API: the scope a token needs. Refusals answer as every HTTP error does (ProblemDetailsFilter). */
export interface ApiAuthOptions {
  /** The app, for the refusal counter. */
  app: string;
  /** The OAuth scope a JWT must carry when API_REQUIRE_SCOPES is on (e.g. radflow.gateway). */
  scope: string;
  /** Only when API_AUTH_METRICS is on (GET /metrics). */
  onlyWhenMetricsProtected?: boolean;
}

const API_AUTH_OPTIONS = Symbol('radflow.api-auth.options');
const ANONYMOUS = Symbol('radflow.api-auth.anonymous');

/** The caller the guard let through (`request.principal`), for handlers that want to know who called. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Checks the bearer token of every request to a controller marked @ApiAuthenticated (except its @AllowAnonymous
 * routes) with the process's ApiAuth. A module composed without the radflow platform has no ApiAuth: then nothing is
 * checked (the embedded policy of a bare module is "auth none").
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly refusals: Counter<'app' | 'code'> | undefined;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Optional() @Inject(API_AUTH) private readonly auth?: ApiAuth,
    @Optional() @Inject(METRICS) metrics?: PlatformMetrics,
  ) {
    this.refusals = metrics?.counter({
      name: 'radflow_http_auth_refusals_total',
      help: 'HTTP requests refused by API authentication, by app and reason (MISSING_TOKEN, EXPIRED, ...)',
      labelNames: ['app', 'code'],
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.auth) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(ANONYMOUS, targets)) return true;
    const options = this.reflector.getAllAndOverride<ApiAuthOptions | undefined>(API_AUTH_OPTIONS, targets);
    if (!options || (options.onlyWhenMetricsProtected && !this.auth.protectMetrics)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    try {
      request.principal = await this.auth.authenticator.authenticate(
        request.headers.authorization,
        options.scope,
      );
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      this.refusals?.inc({ app: options.app, code: error.code });
      const response = http.getResponse<Response>();
      const challenge = wwwAuthenticate(error, this.auth.realm);
      if (challenge) response.setHeader('WWW-Authenticate', challenge);
      throw new HttpProblem({
        status: error.status,
        code: error.code,
        detail: error.message,
        ...(error.status === 503 ? { retryAfterSeconds: 30 } : {}),
        cause: error,
      });
    }
  }
}

/** Every route of the controller needs a bearer token (API_AUTH_MODE); refusals are HttpProblems (401, 403, 503). */
export function ApiAuthenticated(options: ApiAuthOptions): ClassDecorator {
  return applyDecorators(SetMetadata(API_AUTH_OPTIONS, options), UseGuards(ApiAuthGuard));
}

/** A route of an @ApiAuthenticated controller that stays open (health and readiness probes). */
export function AllowAnonymous(): MethodDecorator {
  return SetMetadata(ANONYMOUS, true);
}
