import request from 'supertest';
import { createTestApp, TestApp } from '../helpers/test-env.js';

describe('foundation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('reports ready when PostgreSQL and Redis answer', async () => {
    const res = await request(t.url).get('/api/v1/health/ready').expect(200);
    expect(res.body.info.database.status).toBe('up');
    expect(res.body.info.redis.status).toBe('up');
  });

  it('answers unknown routes with 404 in the error shape and echoes a valid request id', async () => {
    const res = await request(t.url)
      .get('/api/v1/no-such-route')
      .set('X-Request-Id', 'req_abc-123')
      .expect(404);
    expect(res.headers['x-request-id']).toBe('req_abc-123');
    expect(res.body).toEqual({
      status_code: 404,
      code: 'NOT_FOUND',
      message: expect.any(String),
      details: [],
      request_id: 'req_abc-123',
    });
  });

  it('answers unknown routes outside /api/v1 with the same 404 JSON, not an HTML page', async () => {
    for (const path of ['/nope', '/api/nope', '/api/docs-json/x', '/metricsx']) {
      const res = await request(t.url)
        .get(path)
        .set('X-Request-Id', 'req_outside-1')
        .expect(404)
        .expect('Content-Type', /application\/json/);
      expect({ path, body: res.body }).toEqual({
        path,
        body: {
          status_code: 404,
          code: 'NOT_FOUND',
          message: 'Route not found',
          details: [],
          request_id: 'req_outside-1',
        },
      });
    }
    // What is served outside the prefix still is.
    await request(t.url).get('/api/docs-json').expect(200);
  });

  it('replaces a malformed request id with a UUID', async () => {
    const res = await request(t.url)
      .get('/api/v1/health')
      .set('X-Request-Id', 'bad id with spaces!')
      .expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await request(t.url)
      .post('/api/v1/health')
      .set('Content-Type', 'application/json')
      .send('{"amount": ')
      .expect(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(t.url)
      .post('/api/v1/health')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves the OpenAPI document with both auth schemes', async () => {
    const res = await request(t.url).get('/api/docs-json').expect(200);
    expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
    expect(res.body.components.securitySchemes['api-key']).toMatchObject({
      in: 'header',
      name: 'x-api-key',
    });
  });
});
