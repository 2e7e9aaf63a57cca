import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from '@radflow/platform';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Headers on every answer; answers other than the static assets are never cached; a POST from another origin is
 * refused (the SameSite=Strict cookie already keeps it signed out; this also covers old browsers).
 */
export function securityMiddleware(request: Request, response: Response, next: NextFunction): void {
  response.set(SECURITY_HEADERS);
  response.removeHeader('x-powered-by');
  if (!request.path.startsWith('/assets/')) response.set('cache-control', 'no-store');
  const origin = request.headers.origin;
  if (request.method !== 'GET' && request.method !== 'HEAD' && origin) {
    const sameOrigin = URL.canParse(origin) && new URL(origin).host === request.headers.host;
    if (!sameOrigin)
      return next(
        new HttpProblem({ status: 403, code: 'CROSS_ORIGIN', detail: 'cross-origin requests are refused' }),
      );
  }
  next();
}
