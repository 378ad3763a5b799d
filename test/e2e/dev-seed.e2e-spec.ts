import request from 'supertest';
import { devSeedCommand } from '../../src/cli/dev-seed.commands.js';
import { createTestApp, runCli, type TestApp } from '../helpers/test-env.js';

const seed = (t: TestApp, options: Record<string, string | true> = {}): Promise<string[]> =>
  runCli(t, devSeedCommand, options);

function field(lines: string[], name: string): string {
  const line = lines.find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no "${name}" line in ${JSON.stringify(lines)}`);
  return line.slice(name.length + 1).trim();
}

describe('npm run cli -- dev:seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TEST_MODE: 'true', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  });
  afterAll(() => t.close());

  it('prints working credentials of a local test merchant once', async () => {
    const lines = await seed(t, { email: 'seed@example.com' });
    const apiKey = field(lines, 'secret API key');
    const pk = field(lines, 'publishable key');
    expect(pk).toMatch(/^pk_test_/);
    expect(field(lines, 'webhook secret')).toMatch(/\S{20,}/);

    // The secret key holds every permission: wallet, payments (test gateway), webhooks.
    const api = request(t.url);
    expect((await api.get('/api/v1/wallet/balance').set('x-api-key', apiKey)).status).toBe(200);
    expect((await api.get('/api/v1/webhook-endpoints').set('x-api-key', apiKey)).status).toBe(200);
    const payment = await api
      .post('/api/v1/payments')
      .set('x-api-key', apiKey)
      .send({ amount: 1_000, currency: 'NGN', email: 'p@example.com', gateway: 'test' });
    expect(payment.status).toBe(201);
    // The publishable key reads the merchant's own checkout sessions, and nothing else.
    const session = await api
      .post('/api/v1/checkout/sessions')
      .set('x-api-key', apiKey)
      .send({ amount: 1_000, currency: 'NGN' });
    expect(session.status).toBe(201);
    expect(
      (await api.get(`/api/v1/checkout/sessions/${session.body.id}`).set('x-api-key', pk)).status,
    ).toBe(200);
    expect((await api.get('/api/v1/wallet/balance').set('x-api-key', pk)).status).toBe(401);
  });

  it('says why when the webhook endpoint cannot be made, and still prints the keys', async () => {
    const lines = await seed(t, { email: 'seed2@example.com', 'webhook-url': 'ftp://nowhere' });
    expect(field(lines, 'secret API key')).toMatch(/^sk_live_/);
    expect(field(lines, 'webhook endpoint')).toMatch(/^not created for ftp:\/\/nowhere/);
  });
});
