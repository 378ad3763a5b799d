import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from '../common/metrics/metrics.service.js';

/** Observes every HTTP request's duration, labelled by the matched route pattern (not the raw path). */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpRequests.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({
        method: req.method,
        route: route ? `${req.baseUrl}${route}` : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  };
}
