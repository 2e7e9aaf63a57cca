import type { CallHandler, ExecutionContext, NestInterceptor, Type } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { PlatformMetrics } from './platform-metrics.ts';

/** Where the interceptor notes which app's controller answered a request. */
const APP_OF_REQUEST = Symbol('radflow.metrics.app');
type Tagged = Request & { [APP_OF_REQUEST]?: string };

/**
 * Times every HTTP request, labelled by the route pattern (never the path itself: paths can hold ids) and by the app
 * whose controller answered it (`fallbackApp` for what no controller answered: 404s, the body parser's refusals).
 */
export function httpMetricsMiddleware(metrics: PlatformMetrics, fallbackApp: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const stop = metrics.httpDuration.startTimer();
    response.once('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      stop({
        app: (request as Tagged)[APP_OF_REQUEST] ?? fallbackApp,
        method: request.method,
        route: typeof route === 'string' ? `${request.baseUrl}${route}` : 'unmatched',
        status: String(response.statusCode),
      });
    });
    next();
  };
}

/** Notes the app of the controller that handles an HTTP request, for httpMetricsMiddleware. */
export class AppOfRequestInterceptor implements NestInterceptor {
  constructor(private readonly appOfController: ReadonlyMap<Type<unknown>, string>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const app = this.appOfController.get(context.getClass());
      if (app) context.switchToHttp().getRequest<Tagged>()[APP_OF_REQUEST] = app;
    }
    return next.handle();
  }
}
