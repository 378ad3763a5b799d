import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { instanceMetrics, isForkedHttpProcess } from '../../http-cluster.js';
import { Public } from '../auth/auth.decorators.js';
import { unauthenticated } from '../errors/app-error.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrape endpoint at /metrics (outside /api/v1); a bearer METRICS_TOKEN when set. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const token = this.config.metricsToken;
    if (token !== undefined) {
      const expected = Buffer.from(`Bearer ${token}`);
      const given = Buffer.from(authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw unauthenticated('A valid metrics bearer token is required');
      }
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    // With HTTP_PROCESSES > 1, whichever process answers reports the whole instance.
    res.send(
      isForkedHttpProcess() ? await instanceMetrics() : await this.metrics.registry.metrics(),
    );
  }
}
