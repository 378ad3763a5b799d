import request from 'supertest';
import { AppConfig, ConfigError } from '../../src/config/app-config.js';
import { TestGatewayAdapter } from '../../src/modules/gateways/test/test-gateway.adapter.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, testEnv, type TestApp } from '../helpers/test-env.js';
import { FAST_INBOUND_ENV, paymentStatus, sql, waitFor } from './payments.helpers.js';
import { ALL_QUEUES } from '../../src/queue/queue-names.js';

const API = '/api/v1';

async function startTestPayment(
  t: TestApp,
  who: SignedIn,
  amount = 25_000,
): Promise<{ reference: string; authorization_url: string; livemode: boolean }> {
  const res = await request(t.url)
    .post(`${API}/payments`)
    .set(who.authHeader)
    .send({ amount, currency: 'NGN', email: 'payer@example.com', gateway: 'test' });
  expect(res.status).toBe(201);
  return res.body as { reference: string; authorization_url: string; livemode: boolean };
}

/** The page path of an authorization URL (APP_URL points elsewhere in tests). */
function pagePath(authorizationUrl: string): string {
  return new URL(authorizationUrl).pathname;
}

async function balance(t: TestApp, who: SignedIn): Promise<number> {
  const res = await request(t.url).get(`${API}/wallet/balance`).set(who.authHeader);
  expect(res.status).toBe(200);
  return res.body.balance as number;
}

describe('the built-in test gateway (TEST_MODE)', () => {
  let t: TestApp;
  let merchant: SignedIn;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_INBOUND_ENV, TEST_MODE: 'true' } });
    merchant = await signIn(t, 'merchant@example.com');
  });
  afterAll(() => t.close());

  it('serves a Pay/Fail page with no script, then Pay settles the payment through the inbound pipeline', async () => {
    const payment = await startTestPayment(t, merchant);
    expect(payment.livemode).toBe(false);
    expect(pagePath(payment.authorization_url)).toBe(
      `${API}/test-gateway/checkout/${payment.reference}`,
    );

    const page = await request(t.url).get(pagePath(payment.authorization_url));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain('NGN 250.00');
    expect(page.text).toMatch(/<button[^>]*>Pay<\/button>/);
    expect(page.text).toMatch(/<button[^>]*>Fail<\/button>/);

    const paid = await request(t.url).post(`${pagePath(payment.authorization_url)}/pay`);
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toContain(
      `/api/v1/payments/callback?reference=${payment.reference}`,
    );

    await waitFor(
      () => paymentStatus(t, payment.reference),
      (s) => s === 'succeeded',
    );
    const events = await sql<{ status: string; event_id: string }>(
      t,
      `SELECT status, event_id FROM inbound_webhook_events WHERE gateway = 'test' AND reference = $1`,
      [payment.reference],
    );
    expect(events).toEqual([
      { status: 'processed', event_id: `evt_test_${payment.reference}_succeeded` },
    ]);
    const shown = await request(t.url)
      .get(`${API}/payments/${payment.reference}`)
      .set(merchant.authHeader);
    expect(shown.body).toMatchObject({ status: 'succeeded', livemode: false });
  });

  it('Fail fails the payment, and a later Pay changes nothing', async () => {
    const payment = await startTestPayment(t, merchant);
    const path = pagePath(payment.authorization_url);
    expect((await request(t.url).post(`${path}/fail`)).status).toBe(303);
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (s) => s === 'failed',
    );
    expect((await request(t.url).post(`${path}/pay`)).status).toBe(303);
    const verified = await request(t.url)
      .post(`${API}/payments/${payment.reference}/verify`)
      .set(merchant.authHeader);
    expect(verified.body.status).toBe('failed');
    const page = await request(t.url).get(path);
    expect(page.text).toContain('already failed');
    expect(page.text).not.toMatch(/>Pay<\/button>/);
  });

  it('credits a wallet deposit once when Pay is pressed twenty times at once', async () => {
    const payer = await signIn(t, 'depositor@example.com');
    const before = await balance(t, payer);
    const deposit = await request(t.url)
      .post(`${API}/wallet/deposit`)
      .set(payer.authHeader)
      .send({ amount: 7_000, gateway: 'test' });
    expect(deposit.status).toBe(201);
    const reference = deposit.body.reference as string;
    const path = `${API}/test-gateway/checkout/${reference}`;
    const clicks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.url).post(`${path}/${i % 4 === 3 ? 'fail' : 'pay'}`),
      ),
    );
    expect(clicks.every((r) => r.status === 303)).toBe(true);
    const charge = await sql<{ status: string }>(
      t,
      `SELECT status FROM test_gateway_charges WHERE reference = $1`,
      [reference],
    );
    const final = await waitFor(
      () => paymentStatus(t, reference),
      (s) => s === charge[0].status,
    );
    // Whichever click came first decided it, for good; the wallet got the money at most once.
    const after = await waitFor(
      () => balance(t, payer),
      (b) => b === before + (final === 'succeeded' ? 7_000 : 0),
    );
    const credits = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM payment_audit_entries a JOIN payments p ON p.id = a.payment_id
        WHERE p.reference = $1 AND a.action = 'transition' AND a.to_status = 'succeeded'`,
      [reference],
    );
    expect(credits[0].n).toBe(final === 'succeeded' ? 1 : 0);
    expect(after - before).toBe(final === 'succeeded' ? 7_000 : 0);
  });

  it('settles nothing from a validly signed event the gateway never recorded: verify answers from its own store', async () => {
    const payment = await startTestPayment(t, merchant, 90_000);
    const gateway = t.get<TestGatewayAdapter>(TestGatewayAdapter);
    // Signed with the install's own secret, claiming a success the payer never made.
    const { body, headers } = gateway.signedEvent({
      reference: payment.reference,
      amount: 90_000,
      currency: 'NGN',
      status: 'succeeded',
      returnUrl: 'http://unused.example',
    });
    const res = await request(t.url).post(`${API}/webhooks/test`).set(headers).send(body);
    expect(res.status).toBe(200);
    await waitFor(
      async () =>
        (
          await sql<{ status: string }>(
            t,
            `SELECT status FROM inbound_webhook_events WHERE gateway = 'test' AND reference = $1`,
            [payment.reference],
          )
        )[0]?.status,
      (s) => s !== undefined && s !== 'received',
    );
    expect(await paymentStatus(t, payment.reference)).toBe('pending');
  });

  it('refuses an event with a forged signature and stores nothing', async () => {
    const payment = await startTestPayment(t, merchant);
    const body = JSON.stringify({
      id: `evt_test_${payment.reference}_succeeded`,
      type: 'charge.succeeded',
      data: { reference: payment.reference, status: 'succeeded', amount: 25_000, currency: 'NGN' },
    });
    const res = await request(t.url)
      .post(`${API}/webhooks/test`)
      .set({
        'content-type': 'application/json',
        'webhook-id': `evt_test_${payment.reference}_succeeded`,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      })
      .send(body);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_SIGNATURE');
    const stored = await sql(t, `SELECT 1 FROM inbound_webhook_events WHERE reference = $1`, [
      payment.reference,
    ]);
    expect(stored).toHaveLength(0);
  });

  it('sends the event of a charge decided just before a crash, so the payment still settles', async () => {
    const payment = await startTestPayment(t, merchant, 31_000);
    // What a crash between recording the payer's Pay and handing its event to intake leaves:
    // the charge decided, its event never sent.
    const gateway = t.get<TestGatewayAdapter>(TestGatewayAdapter);
    await gateway.decide(payment.reference, 'succeeded');
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (s) => s === 'succeeded',
    );
    const events = await sql<{ event_id: string }>(
      t,
      `SELECT event_id FROM inbound_webhook_events WHERE gateway = 'test' AND reference = $1`,
      [payment.reference],
    );
    expect(events.map((e) => e.event_id)).toEqual([`evt_test_${payment.reference}_succeeded`]);
  });

  it('answers job counts per queue to an admin only', async () => {
    const admin = await signIn(t, 'admin@example.com');
    const res = await request(t.url).get(`${API}/test/jobs/status`).set(admin.authHeader);
    expect(res.status).toBe(200);
    const names = (res.body.queues as { name: string }[]).map((q) => q.name).sort();
    // Every queue the service has, so a test can wait until all workers are idle.
    expect(names).toEqual([...ALL_QUEUES].sort());
    for (const queue of res.body.queues as Record<string, unknown>[]) {
      for (const key of ['waiting', 'active', 'delayed', 'completed', 'failed'])
        expect(Number.isInteger(queue[key])).toBe(true);
    }
    const denied = await request(t.url).get(`${API}/test/jobs/status`).set(merchant.authHeader);
    expect(denied.status).toBe(403);
  });
});

describe('TEST_PROCESSING_DELAY', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('settles a test payment by itself after the delay, with TEST_PAYMENT_SUCCESS as the outcome', async () => {
    t = await createTestApp({
      env: {
        ...FAST_INBOUND_ENV,
        TEST_MODE: 'true',
        TEST_PROCESSING_DELAY: '1s',
        TEST_PAYMENT_SUCCESS: 'false',
      },
    });
    const who = await signIn(t, 'auto@example.com');
    const payment = await startTestPayment(t, who);
    expect(await paymentStatus(t, payment.reference)).toBe('pending');
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (s) => s === 'failed',
    );
    const events = await sql<{ event_id: string }>(
      t,
      `SELECT event_id FROM inbound_webhook_events WHERE gateway = 'test' AND reference = $1`,
      [payment.reference],
    );
    expect(events.map((e) => e.event_id)).toEqual([`evt_test_${payment.reference}_failed`]);
  });
});

describe('with TEST_MODE off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TEST_MODE: 'false' } });
  });
  afterAll(() => t.close());

  it('refuses the test gateway and hides the test routes', async () => {
    const who = await signIn(t, 'live@example.com');
    const res = await request(t.url)
      .post(`${API}/payments`)
      .set(who.authHeader)
      .send({ amount: 100, currency: 'NGN', email: 'p@example.com', gateway: 'test' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('GATEWAY_DISABLED');
    const admin = await signIn(t, 'admin@example.com');
    expect((await request(t.url).get(`${API}/test/jobs/status`).set(admin.authHeader)).status).toBe(
      404,
    );
    expect(
      (await request(t.url).get(`${API}/test-gateway/checkout/PAY-20260101000000-AAAAAAAA`)).status,
    ).toBe(404);
  });

  it('is refused at boot when NODE_ENV=production, and off by default outside development', () => {
    expect(
      () =>
        new AppConfig(
          testEnv({
            NODE_ENV: 'production',
            TEST_MODE: 'true',
            APP_URL: 'https://pay.example.com',
          }),
        ),
    ).toThrow(new ConfigError('TEST_MODE must not be on when NODE_ENV=production'));
    expect(new AppConfig(testEnv({ NODE_ENV: 'test' })).testMode).toBe(false);
    expect(new AppConfig(testEnv({ NODE_ENV: 'development' })).testMode).toBe(true);
    expect(
      new AppConfig(testEnv({ NODE_ENV: 'development', APP_URL: 'https://pay.example.com' }))
        .testMode,
    ).toBe(false);
  });
});
