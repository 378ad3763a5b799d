import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';

/** The HTTP application's own routes: the Prometheus scrape at /metrics. */
@Module({
  controllers: [MetricsController],
})
export class HttpModule {}
