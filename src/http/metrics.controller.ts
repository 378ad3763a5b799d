import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '../config/app-config.js';
import { instanceMetrics, isForkedHttpProcess } from './cluster.js';
import { Public } from '../common/auth/auth.decorators.js';
import { permissionDenied, unauthenticated } from '../common/errors/app-error.js';
import { MetricsService } from '../common/metrics/metrics.service.js';

/** A loopback client (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined || !ipaddr.isValid(ip)) return false;
  return ipaddr.process(ip).range() === 'loopback';
}

/**
 * Prometheus scrape endpoint at /metrics (outside /api/v1): a bearer METRICS_TOKEN when set, and
 * without one loopback clients only (403 PERMISSION_DENIED for others).
 */
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
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const token = this.config.metricsToken;
    if (token !== undefined) {
      const expected = Buffer.from(`Bearer ${token}`);
      const given = Buffer.from(authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw unauthenticated('A valid metrics bearer token is required');
      }
    } else if (!isLoopback(req.ip)) {
      // Without a token only the host itself may scrape. `req.ip` is the client as Express sees
      // it: behind a proxy on loopback ('trust proxy'), the address it forwards for.
      throw permissionDenied(
        'Metrics are served to loopback clients only unless METRICS_TOKEN is set',
      );
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    // With HTTP_PROCESSES > 1, whichever process answers reports the whole instance.
    res.send(
      isForkedHttpProcess() ? await instanceMetrics() : await this.metrics.registry.metrics(),
    );
  }
}
