import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiAuthenticated } from '../auth/api-auth.guard.ts';
import { METRICS } from '../tokens.ts';
import type { PlatformMetrics } from './platform-metrics.ts';

/** GET /metrics: every series of this process in Prometheus' text format (no PHI: labels are apps, topics, codes). */
@Controller()
@ApiAuthenticated({ app: 'platform', scope: 'radflow.metrics', onlyWhenMetricsProtected: true })
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: PlatformMetrics) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    response.type(contentType).send(body);
  }
}
