import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { RadflowConfig } from '@radflow/config';
import { CONFIG } from '@radflow/platform';
import { OVERSIZED_KEEP_FACTOR, readRequestBody, type RequestBody } from './request-body.ts';

/** The gateway's POST routes: their bodies are read by the gateway alone, before any body parser. */
export const GATEWAY_BODY_ROUTES = ['/v1/hl7', '/v1/fhir', '/fhir/notify'];

export type GatewayRequest = Request & { gatewayBody?: RequestBody };

/**
 * Reads the bodies of the gateway's routes before the host's JSON parser can: that parser would answer invalid
 * JSON with its own 400 and an oversized body with its own 413, before the gateway could dead-letter either, and
 * would hand over a re-serialisation instead of the bytes sent. Installed on the HTTP server when the module is
 * built, which is before the host registers its parsers; a parser then finds the body already read and passes.
 */
@Injectable()
export class GatewayBodyReader {
  constructor(@Inject(HttpAdapterHost) adapterHost: HttpAdapterHost, @Inject(CONFIG) config: RadflowConfig) {
    const server = adapterHost.httpAdapter?.getInstance?.() as
      | {
          use?: (
            path: string[],
            handler: (req: GatewayRequest, res: Response, next: NextFunction) => void,
          ) => void;
        }
      | undefined;
    const keep = config.ingest.maxMessageBytes * OVERSIZED_KEEP_FACTOR;
    server?.use?.(GATEWAY_BODY_ROUTES, function radflowGatewayBody(request, _response, next) {
      if (request.method !== 'POST') return next();
      readRequestBody(request, keep).then(
        (body) => {
          request.gatewayBody = body;
          next();
        },
        (error: unknown) => next(error),
      );
    });
  }
}
