import type { NextFunction, Request, RequestHandler, Response } from 'express';

const ALLOWED_HEADERS = 'Content-Type, X-Api-Key, Idempotency-Key, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id, Idempotent-Replayed, Retry-After';

/**
 * CORS for the checkout session routes only, for CHECKOUT_ALLOWED_ORIGINS: checkout.js on a
 * merchant's page creates and reads sessions with a publishable key. No credentials (cookies) are
 * involved, so none are allowed; every other route keeps CORS_ORIGINS alone.
 */
export function checkoutCors(allowedOrigins: readonly string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !allowedOrigins.includes(origin)) {
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
