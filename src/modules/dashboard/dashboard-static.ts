import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import express, { type RequestHandler, type Response } from 'express';

export const DASHBOARD_PATH = '/dashboard';

/** The dashboard's Content-Security-Policy: its own scripts, styles and API only. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** dist/web beside the nearest package.json up from this file (src/… in tests, dist/src/… built). */
export function defaultDashboardDir(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('No package.json above the dashboard module');
    dir = parent;
  }
  return join(dir, 'dist', 'web');
}

function noCache(response: Response): void {
  response.setHeader('Cache-Control', 'no-cache');
}

/**
 * Serves the built dashboard (dist/web, `npm run build`) at /dashboard: hashed files under
 * /dashboard/assets/ cached for a year as immutable, index.html revalidated on every load, every
 * other path under /dashboard answered with index.html (the SPA's deep links), all with a strict
 * CSP. Mounted ahead of Nest by the composition root (HTTP_FEATURES.mounts).
 */
@Injectable()
export class DashboardStaticService {
  handlers(dir = defaultDashboardDir()): RequestHandler[] {
    const index = join(dir, 'index.html');
    const securityHeaders: RequestHandler = (request, response, next) => {
      response.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.setHeader('Referrer-Policy', 'no-referrer');
      response.setHeader('X-Frame-Options', 'DENY');
      // /dashboard → /dashboard/, so the SPA's relative asset URLs and router base line up.
      if (request.originalUrl === DASHBOARD_PATH) {
        response.redirect(301, `${DASHBOARD_PATH}/`);
        return;
      }
      next();
    };
    const files = express.static(dir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders: (response, path) => {
        if (path.startsWith(join(dir, 'assets'))) {
          response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        } else noCache(response);
      },
    });
    const spaFallback: RequestHandler = (request, response, next) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        next();
        return;
      }
      // A missing hashed file is a 404, never index.html served as JavaScript.
      if (request.path.startsWith('/assets/')) {
        response.status(404).type('text/plain').send('Not found');
        return;
      }
      if (!existsSync(index)) {
        noCache(response);
        response
          .status(503)
          .type('text/plain')
          .send('The dashboard is not built: run `npm run build` (or `npm start`).');
        return;
      }
      noCache(response);
      response.sendFile(index);
    };
    return [securityHeaders, files, spaFallback];
  }
}
