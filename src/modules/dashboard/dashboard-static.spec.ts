import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { DASHBOARD_CSP, DashboardStaticService } from './dashboard-static.js';

function appServing(dir: string): express.Express {
  const app = express();
  app.use('/dashboard', ...new DashboardStaticService().handlers(dir));
  app.use((_request, response) => {
    response.status(404).send('api 404');
  });
  return app;
}

describe('DashboardStaticService', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-web-'));
  const INDEX = '<!doctype html><title>dashboard</title>';

  beforeAll(() => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'export {};');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers index.html for the root and any deep link, not cached, with the strict CSP', async () => {
    const app = appServing(dir);
    for (const path of ['/dashboard/', '/dashboard/payments/pay_123', '/dashboard/admin/ledger']) {
      const res = await request(app).get(path).expect(200);
      expect(res.text).toBe(INDEX);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });

  it('redirects /dashboard to /dashboard/', async () => {
    const res = await request(appServing(dir)).get('/dashboard').expect(301);
    expect(res.headers.location).toBe('/dashboard/');
  });

  it('caches hashed assets for a year as immutable; a missing asset is a 404, never index.html', async () => {
    const app = appServing(dir);
    const asset = await request(app).get('/dashboard/assets/index-AbC123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const missing = await request(app).get('/dashboard/assets/index-Gone99.js').expect(404);
    expect(missing.text).not.toContain('<title>');
    const other = await request(app).get('/dashboard/favicon.svg').expect(200);
    expect(other.headers['cache-control']).toBe('no-cache');
  });

  it('leaves other methods and other paths to the API', async () => {
    const app = appServing(dir);
    await request(app).post('/dashboard/').expect(404, 'api 404');
    await request(app).get('/api/v1/nothing').expect(404, 'api 404');
    writeFileSync(join(dir, '..', 'dashboard-outside.json'), '{"secret":1}');
    for (const path of [
      '/dashboard/../dashboard-outside.json',
      '/dashboard/%2e%2e/dashboard-outside.json',
    ]) {
      const res = await request(app).get(path);
      expect(res.text).not.toContain('secret');
    }
    rmSync(join(dir, '..', 'dashboard-outside.json'));
  });

  it('says how to build when dist/web is missing', async () => {
    const res = await request(appServing(join(dir, 'absent')))
      .get('/dashboard/')
      .expect(503);
    expect(res.text).toMatch(/npm run build/);
  });
});
