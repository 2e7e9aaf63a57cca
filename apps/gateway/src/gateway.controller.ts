import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import type { RadflowConfig } from '@radflow/config';
import {
  AllowAnonymous,
  ApiAuthenticated,
  CONFIG,
  FhirOperationOutcomeFilter,
  operationOutcome,
} from '@radflow/platform';
import type { GatewayRequest } from './body-reader.ts';
import { hl7HttpAnswer } from './gateway-outcome.ts';
import { GatewayHeaders, InboundGatewayService } from './inbound-gateway.service.ts';
import { OVERSIZED_KEEP_FACTOR, readRequestBody, type RequestBody } from './request-body.ts';

const HL7_CONTENT_TYPE = 'x-application/hl7-v2+er7';
/** How long a sender should wait before resending after a 503 (broker or FHIR server unavailable). */
const RETRY_AFTER_SECONDS = 30;

/**
 * HTTP entry points: HL7 v2 posted by an interface engine (answered with ACKs; a refused caller gets a problem like
 * every radflow API), FHIR rest-hook notifications from the EHR (every refusal an OperationOutcome).
 */
@Controller()
@ApiAuthenticated({ app: 'gateway', scope: 'radflow.gateway' })
export class GatewayController {
  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(InboundGatewayService) private readonly gateway: InboundGatewayService,
  ) {}

  /**
   * One message, several back to back, or an FHS/BHS batch file. Answers the ACKs of every message in order,
   * with the worst status of them all, and their trace ids (comma-separated) in `radflow-trace-id`.
   */
  @Post('v1/hl7')
  async postHl7(@Req() request: GatewayRequest, @Res() response: Response): Promise<void> {
    const body = await this.body(request);
    const traceId = randomUUID();
    if (!this.fits(body)) {
      const outcome = await this.gateway.rejectOversized('hl7v2', body, 'http', traceId);
      this.retryLater(response, outcome.httpStatus, body);
      response
        .status(outcome.httpStatus)
        .type(HL7_CONTENT_TYPE)
        .set(GatewayHeaders.traceId, traceId)
        .send(outcome.ack);
      return;
    }
    const answer = hl7HttpAnswer(await this.gateway.acceptHl7Body(body.bytes, 'http', traceId));
    this.retryLater(response, answer.status, body);
    if (answer.issues.length > 0)
      response.set('radflow-batch-issues', answer.issues.join(' | ').slice(0, 2000));
    response
      .status(answer.status)
      .type(HL7_CONTENT_TYPE)
      .set(GatewayHeaders.traceId, answer.traceIds.join(','))
      .send(answer.ack);
  }

  /** A DiagnosticReport, a Bundle or a subscription notification: 202 once stored, else an OperationOutcome. */
  @Post(['v1/fhir', 'fhir/notify'])
  @UseFilters(new FhirOperationOutcomeFilter())
  async postFhir(@Req() request: GatewayRequest, @Res() response: Response): Promise<void> {
    const body = await this.body(request);
    const outcome = this.fits(body)
      ? await this.gateway.acceptFhir(body.bytes, 'http')
      : await this.gateway.rejectOversized('fhir', body, 'http');
    response.set(GatewayHeaders.traceId, outcome.traceId);
    this.retryLater(response, outcome.httpStatus, body, outcome.retryAfterSeconds);
    if (outcome.accepted) {
      response.status(202).json({ accepted: true, traceId: outcome.traceId });
      return;
    }
    const refusal = {
      status: outcome.httpStatus,
      code: outcome.error?.code ?? 'REFUSED',
      detail: outcome.error?.reason ?? 'not accepted',
      traceId: outcome.traceId,
    };
    response
      .status(outcome.httpStatus)
      .type('application/fhir+json')
      .send(JSON.stringify(operationOutcome(refusal)));
  }

  @Get('health')
  @AllowAnonymous()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Read by GatewayBodyReader before any parser; read here only if that reader was not installed. */
  private async body(request: GatewayRequest): Promise<RequestBody> {
    return (
      request.gatewayBody ??
      readRequestBody(request, this.config.ingest.maxMessageBytes * OVERSIZED_KEEP_FACTOR)
    );
  }

  private fits(body: RequestBody): boolean {
    return body.totalBytes <= this.config.ingest.maxMessageBytes;
  }

  /** A 503 asks for a resend in 30 s, or later where the FHIR server asked radflow to wait longer. */
  private retryLater(response: Response, status: number, body: RequestBody, upstreamSeconds = 0): void {
    if (status === 503) response.set('retry-after', String(Math.max(RETRY_AFTER_SECONDS, upstreamSeconds)));
    // The part of a huge body that was not kept was drained; the connection is not worth reusing.
    if (!body.complete) response.set('connection', 'close');
  }
}
