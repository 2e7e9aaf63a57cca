import { PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Refuses a request whose declared body (Content-Length) is over HTTP_MAX_BODY_BYTES with 413, before anything reads
 * it. A body an app has already read itself (the gateway reads its routes' bodies first, and dead-letters oversized
 * ones under its own limit) is left alone; a chunked body without a length is bounded by the body parsers' limit.
 */
export function bodyLimitMiddleware(maxBytes: number) {
  return function radflowBodyLimit(request: Request, response: Response, next: NextFunction): void {
    const consumed = request.complete && !request.readable;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (consumed || !(declared > maxBytes)) return next();
    // What was not read is not worth draining: the connection closes after the answer.
    response.setHeader('Connection', 'close');
    next(
      new PayloadTooLargeException(
        `request body of ${declared} bytes is over the limit of ${maxBytes} bytes (HTTP_MAX_BODY_BYTES)`,
      ),
    );
  };
}
