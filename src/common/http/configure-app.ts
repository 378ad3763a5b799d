import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  QUEUE_BOARD_PATH,
  QueueBoardService,
} from '../../modules/operations/queue-board.service.js';
import { webhookLeanRoute } from '../../modules/payments/inbound/webhook-intake.controller.js';
import { serveLeanRoutes } from './lean-routes.js';
import { runWithRequestId } from './request-context.js';
import { assignRequestId } from './request-id.js';
import { setupSwagger } from './swagger.js';

export const BODY_LIMIT = '1mb';
/** BODY_LIMIT in bytes, as body-parser reads '1mb'. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'];

/**
 * Everything about the HTTP application that is not a module: shared by main.ts and the e2e
 * tests so both serve exactly the same app.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  // First middleware of all, so even body-parser failures carry the request id.
  app.use(
    (
      req: Parameters<typeof assignRequestId>[0],
      res: Parameters<typeof assignRequestId>[1],
      next: () => void,
    ) => {
      runWithRequestId(assignRequestId(req, res), next);
    },
  );
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  const board = app.get(QueueBoardService, { strict: false });
  app.use(QUEUE_BOARD_PATH, ...board.handlers());
  app.useBodyParser('json', {
    limit: BODY_LIMIT,
    type: ['application/json', 'application/*+json'],
  });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.setGlobalPrefix('api/v1', { exclude: ['metrics'] });
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    exposedHeaders: CORS_EXPOSED_HEADERS,
  });
  app.enableShutdownHooks();
  setupSwagger(app);
  // Gateway webhooks are answered ahead of all the above, with the same answers (lean-routes.ts).
  serveLeanRoutes(app, [webhookLeanRoute(app)], {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    corsOrigins: config.corsOrigins,
    corsExposedHeaders: CORS_EXPOSED_HEADERS,
  });
}
