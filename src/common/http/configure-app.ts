import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { RequestLogs } from '../logging/request-log.js';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TRUSTED_PROXIES } from '../rate-limit/client-ip.js';
import {
  QUEUE_BOARD_PATH,
  QueueBoardService,
} from '../../modules/operations/queue-board.service.js';
import { documentGatewayWebhooks } from '../../modules/payments/inbound/webhook-docs.js';
import { webhookLeanRoute } from '../../modules/payments/inbound/webhook-intake.controller.js';
import { bodyLimitsMiddleware } from './body-limits.js';
import { serveLeanRoutes } from './lean-routes.js';
import { runWithRequestId } from './request-context.js';
import { API_PREFIX, API_PREFIX_OPTIONS, setupSwagger } from './swagger.js';

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
  // First middleware of all, so even body-parser failures carry the request id; every request
  // gets one line when its response finishes (or its connection closes), as on the lean path.
  const logs = app.get(RequestLogs);
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    runWithRequestId(logs.startRequest(req, res), next, true);
  });
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  const board = app.get(QueueBoardService, { strict: false });
  app.use(QUEUE_BOARD_PATH, ...board.handlers());
  app.useBodyParser('json', {
    limit: BODY_LIMIT,
    type: ['application/json', 'application/*+json'],
  });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  // Depth and NUL limits on whatever the parsers produced (the lean route applies the same).
  app.use(bodyLimitsMiddleware());
  app.set('trust proxy', TRUSTED_PROXIES);
  app.disable('x-powered-by');
  // No ETags: Express hashes every response body for one, and this API's answers are not cached
  // or fetched conditionally (money state is read fresh).
  app.set('etag', false);
  app.setGlobalPrefix(API_PREFIX, API_PREFIX_OPTIONS);
  // With no origins configured there is no CORS at all (the cors middleware would add nothing).
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      exposedHeaders: CORS_EXPOSED_HEADERS,
    });
  }
  app.enableShutdownHooks();
  // The one /webhooks/:gateway route is documented as one route per gateway.
  setupSwagger(app, documentGatewayWebhooks);
  // Gateway webhooks are answered ahead of all the above, with the same answers (lean-routes.ts).
  serveLeanRoutes(app, [webhookLeanRoute(app)], {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    corsOrigins: config.corsOrigins,
    corsExposedHeaders: CORS_EXPOSED_HEADERS,
  });
}
