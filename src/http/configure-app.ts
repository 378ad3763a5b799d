import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { RequestHandler } from 'express';
import { Logger } from 'nestjs-pino';
import { RequestLogs } from '../common/logging/request-log.js';
import { MetricsService } from '../common/metrics/metrics.service.js';
import { TRUSTED_PROXIES } from '../common/rate-limit/client-ip.js';
import { runWithRequestId } from '../common/request/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { errorResponse } from '../common/errors/http-exception.filter.js';
import { requestIdOf } from '../common/request/request-id.js';
import { AppConfig } from '../config/app-config.js';
import { bodyLimitsMiddleware } from './body-limits.js';
import { shareMetricsWithSupervisor } from './cluster.js';
import { httpMetricsMiddleware } from './http-metrics.middleware.js';
import { type LeanRoute, serveLeanRoutes } from './lean-routes.js';
import { API_PREFIX, API_PREFIX_OPTIONS, setupSwagger } from './swagger.js';

export const BODY_LIMIT = '1mb';
/** BODY_LIMIT in bytes, as body-parser reads '1mb'. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'];

/**
 * What feature modules add to the HTTP application beyond their controllers. The composition root
 * (app.module.ts) gives it, so this platform code never imports a feature.
 */
export interface HttpFeatures {
  /** Routes answered ahead of Express and Nest (lean-routes.ts). */
  leanRoutes: (app: INestApplication) => LeanRoute[];
  /** Express handlers mounted at a path ahead of the body parsers (e.g. the queue board). */
  mounts: (app: INestApplication) => { path: string; handlers: RequestHandler[] }[];
  /** Edits the OpenAPI document: documentation the decorators cannot express. */
  amendOpenApi: (document: OpenAPIObject) => void;
}

/**
 * Everything about the HTTP application that is not a module: shared by main.ts and the e2e
 * tests so both serve exactly the same app.
 */
export function configureApp(app: NestExpressApplication, features: HttpFeatures): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  // With HTTP_PROCESSES > 1, whichever process answers a scrape reports the whole instance.
  shareMetricsWithSupervisor(app.get(MetricsService).registry);
  // First middleware of all, so even body-parser failures carry the request id; every request
  // gets one line when its response finishes (or its connection closes), as on the lean path.
  const logs = app.get(RequestLogs);
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    runWithRequestId(logs.startRequest(req, res), next, true);
  });
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  for (const { path, handlers } of features.mounts(app)) app.use(path, ...handlers);
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
  setupSwagger(app, features.amendOpenApi);
  // Answered ahead of all the above, with the same answers (lean-routes.ts).
  serveLeanRoutes(app, features.leanRoutes(app), {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    corsOrigins: config.corsOrigins,
    corsExposedHeaders: CORS_EXPOSED_HEADERS,
  });
}

/**
 * Initializes the app (routes, Nest's own not-found and error handling under the API prefix),
 * then answers every request no route took (outside /api/v1 too: `/nope`, `/api/docs-json/x`)
 * with 404 NOT_FOUND in the SPEC error shape instead of Express's HTML page, then listens.
 */
export async function listenApp(
  app: NestExpressApplication,
  port: number,
  host?: string,
): Promise<void> {
  await app.init();
  app.use((req: IncomingMessage, res: ServerResponse) => {
    const answer = errorResponse(
      new AppError(404, 'NOT_FOUND', 'Route not found'),
      requestIdOf(req),
    );
    res.statusCode = answer.status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(answer.body));
  });
  await (host === undefined ? app.listen(port) : app.listen(port, host));
}
