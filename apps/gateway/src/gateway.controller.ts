import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RadflowConfig } from '@radflow/config';
import { CONFIG } from '@radflow/platform';
import { InboundGatewayService } from './inbound-gateway.service.ts';
import { readRequestBytes } from './request-bytes.ts';

/** HTTP entry points: HL7 v2 posted by an interface engine, FHIR rest-hook notifications from the EHR. */
@Controller()
export class GatewayController {
  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(InboundGatewayService) private readonly gateway: InboundGatewayService,
  ) {}

  @Post('v1/hl7')
  async postHl7(@Req() request: Request, @Res() response: Response): Promise<void> {
    const bytes = await readRequestBytes(request, this.config.ingest.maxMessageBytes);
    const outcome = await this.gateway.accept('hl7v2', bytes, 'http');
    response
      .status(outcome.accepted ? 200 : (outcome.error?.httpStatus ?? 400))
      .type('x-application/hl7-v2+er7')
      .set('radflow-trace-id', outcome.traceId)
      .send(outcome.ack);
  }

  @Post(['v1/fhir', 'fhir/notify'])
  async postFhir(@Req() request: Request, @Res() response: Response): Promise<void> {
    const bytes = await readRequestBytes(request, this.config.ingest.maxMessageBytes);
    const outcome = await this.gateway.accept('fhir', bytes, 'http');
    response.set('radflow-trace-id', outcome.traceId);
    if (outcome.accepted) {
      response.status(202).json({ accepted: true, traceId: outcome.traceId });
      return;
    }
    response.status(outcome.error?.httpStatus ?? 400).json({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', details: { text: `${outcome.error?.code}: ${outcome.error?.reason}` } }],
    });
  }

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
