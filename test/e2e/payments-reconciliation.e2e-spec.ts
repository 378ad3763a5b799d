import request from 'supertest';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  paymentEvents,
  paymentsEnv,
  paymentStatus,
  transitions,
  waitFor,
} from './payments.helpers.js';

describe('payment reconciliation (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let alice: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        RECONCILE_INTERVAL: '300ms',
        RECONCILE_MIN_AGE: '500ms',
        RECONCILE_ABANDONED_INTERVAL: '300ms',
        // Long enough that a loaded machine still verifies a paid payment before it expires.
        PAYMENT_EXPIRY: '6s',
      }),
    });
    alice = await signIn(t, 'alice@example.com');
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
  });

  it('settles a paid payment whose webhook never came', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 70_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    expect(await transitions(t, created.reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'reconcile' },
    ]);
    expect((await paymentEvents(t, created.reference)).map((e) => e.type)).toEqual([
      'payment.success',
    ]);
  });

  it('fails a payment Paystack reports failed (Paystack sends no failure webhooks)', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 71_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markFailed(created.reference);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'failed',
    );
    expect((await paymentEvents(t, created.reference)).map((e) => e.type)).toEqual([
      'payment.failed',
    ]);
  });

  it('keeps a payment Paystack reports abandoned pending until expiry, then abandons it, then credits it when the payer finishes late', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 72_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const verifiesBefore = paystack.callCount('GET /transaction/verify');
    await waitFor(
      async () => paystack.callCount('GET /transaction/verify') - verifiesBefore,
      (calls) => calls >= 1,
    );
    const early = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    if (Date.now() < new Date(early.body.expires_at).getTime())
      expect(early.body.status).toBe('pending');

    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'abandoned',
    );
    const abandoned = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(abandoned.body.failure_reason).toMatch(/expired; the gateway reports abandoned/);
    expect(await paymentEvents(t, created.reference)).toEqual([]);

    paystack.markPaid(created.reference);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    expect(await transitions(t, created.reference)).toEqual([
      { from_status: 'pending', to_status: 'abandoned', source: 'reconcile' },
      { from_status: 'abandoned', to_status: 'succeeded', source: 'reconcile' },
    ]);
    expect((await paymentEvents(t, created.reference)).map((e) => e.type)).toEqual([
      'payment.success',
    ]);
  });

  it('abandons an expired payment even while its gateway cannot be reached', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 73_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.fault = 'error500';
    try {
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'abandoned',
      );
    } finally {
      paystack.fault = 'ok';
    }
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body.failure_reason).toMatch(/could not be asked/);
  });
});
