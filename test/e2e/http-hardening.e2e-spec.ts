import request from 'supertest';
import { startFakeGoogle, type FakeGoogle } from '../fakes/fake-google.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';

const API = '/api/v1';

/**
 * SPEC §11: token responses are never cached, /metrics without METRICS_TOKEN answers loopback
 * clients only, and Swagger UI does not keep credentials in the browser's storage.
 */
describe('HTTP hardening (e2e)', () => {
  let google: FakeGoogle;
  let t: TestApp;

  beforeAll(async () => {
    google = await startFakeGoogle({
      clientId: 'fake-client.apps.googleusercontent.com',
      clientSecret: 'fake-secret',
    });
    // No METRICS_TOKEN; webhook endpoints may point at loopback for the secret responses below.
    t = await createTestApp({ env: { ...google.env(), WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  });

  afterAll(async () => {
    await t?.close();
    await google?.close();
  });

  describe('Cache-Control: no-store on every response that carries a token or secret', () => {
    it('on the Google sign-in callback and on refresh', async () => {
      google.setIdentity({
        sub: '222222222222222222222',
        email: 'nostore@example.com',
        email_verified: true,
        name: 'No Store',
      });
      const start = await request(t.url).get(`${API}/auth/google`).expect(302);
      const back = await fetch(start.headers.location, { redirect: 'manual' });
      const params = new URL(back.headers.get('location') as string).searchParams;
      const signedIn = await request(t.url)
        .get(`${API}/auth/google/callback?${params.toString()}`)
        .expect(200);
      expect(signedIn.body.refresh_token).toEqual(expect.any(String));
      expect(signedIn.headers['cache-control']).toBe('no-store');

      const refreshed = await request(t.url)
        .post(`${API}/auth/refresh`)
        .send({ refresh_token: signedIn.body.refresh_token })
        .expect(200);
      expect(refreshed.body.access_token).toEqual(expect.any(String));
      expect(refreshed.headers['cache-control']).toBe('no-store');
    });

    it('on API key creation and on webhook endpoint creation and secret rotation', async () => {
      const user = await signIn(t, 'secrets@example.com');
      const key = await request(t.url)
        .post(`${API}/keys`)
        .set(user.authHeader)
        .send({ name: 'ci', permissions: ['read'], expiry: '1D' })
        .expect(201);
      expect(key.headers['cache-control']).toBe('no-store');

      const endpoint = await request(t.url)
        .post(`${API}/webhook-endpoints`)
        .set(user.authHeader)
        .send({ url: 'http://127.0.0.1:9/hook', events: ['*'] })
        .expect(201);
      expect(endpoint.headers['cache-control']).toBe('no-store');
      const rotated = await request(t.url)
        .post(`${API}/webhook-endpoints/${endpoint.body.id}/rotate-secret`)
        .set(user.authHeader)
        .expect(200);
      expect(rotated.headers['cache-control']).toBe('no-store');
    });
  });

  describe('/metrics without METRICS_TOKEN', () => {
    it('answers a loopback client', async () => {
      const res = await request(t.url).get('/metrics').expect(200);
      expect(res.text).toContain('http_request_duration_seconds');
    });

    it('refuses any other client with 403, here one a loopback proxy forwards for', async () => {
      for (const client of ['203.0.113.9', '10.1.2.3', '2001:db8::7']) {
        const res = await request(t.url).get('/metrics').set('X-Forwarded-For', client).expect(403);
        expect(res.body.code).toBe('PERMISSION_DENIED');
        expect(res.text).not.toContain('http_request_duration_seconds');
      }
      // A proxy on the host itself that forwards for a loopback client is still the host.
      await request(t.url).get('/metrics').set('X-Forwarded-For', '127.0.0.1').expect(200);
    });
  });

  it('keeps Swagger UI from persisting the bearer token or API key in the browser', async () => {
    const init = await request(t.url).get('/api/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"persistAuthorization":\s*false/);
  });

  it('documents each gateway webhook as its own route with its signature headers and an example body', async () => {
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    expect(doc.paths['/api/v1/webhooks/{gateway}']).toBeUndefined();
    const expected: Record<string, string[]> = {
      paystack: ['x-paystack-signature'],
      flutterwave: ['verif-hash', 'flutterwave-signature'],
      stripe: ['Stripe-Signature'],
      paypal: [
        'paypal-transmission-id',
        'paypal-transmission-time',
        'paypal-transmission-sig',
        'paypal-cert-url',
        'paypal-auth-algo',
      ],
      generic: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    };
    const operationIds = new Set<string>();
    for (const [gateway, headers] of Object.entries(expected)) {
      const operation = doc.paths[`/api/v1/webhooks/${gateway}`]?.post;
      expect({ gateway, documented: operation !== undefined }).toEqual({
        gateway,
        documented: true,
      });
      expect(operation.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
        headers.map((name) => `header:${name}`),
      );
      expect(operation.requestBody.content['application/json'].example).toEqual(expect.any(Object));
      expect(Object.keys(operation.responses).sort()).toEqual([
        '200',
        '400',
        '401',
        '422',
        '429',
        '503',
      ]);
      operationIds.add(operation.operationId);
    }
    expect(operationIds.size).toBe(5);
    // Documentation only: the runtime route is still the one for every gateway.
    const unknown = await request(t.url).post(`${API}/webhooks/nosuch`).send({}).expect(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
  });
});

interface OpenApiOperation {
  operationId: string;
  parameters: { in: string; name: string }[];
  requestBody: { content: Record<string, { example: unknown }> };
  responses: Record<string, unknown>;
}
