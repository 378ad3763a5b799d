import request from 'supertest';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import {
  createPayment,
  eventStatus,
  paymentEvents,
  paymentStatus,
  sql,
  waitFor,
  inboundEvent,
} from './payments.helpers.js';

describe('Flutterwave gateway (e2e)', () => {
  const app = gatewayTestApp(() => new FakeFlutterwave().start(), 'alice.flutterwave@example.com');
  let t: TestApp;
  let flutterwave: FakeFlutterwave;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: flutterwave, alice } = app());
  });

  it('creates a hosted payment link in major units, then settles from charge.completed (successful)', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 150_050,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    expect(created).toMatchObject({
      gateway: 'flutterwave',
      status: 'pending',
      amount: 150_050,
      currency: 'NGN',
    });
    expect(created.authorization_url).toMatch(new RegExp(`^${flutterwave.url}/v3/hosted/pay/`));
    expect(flutterwave.checkout(created.reference)).toMatchObject({
      amount: '1500.50',
      currency: 'NGN',
    });

    const transaction = flutterwave.pay(created.reference);
    const sent = await flutterwave.sendWebhook(
      t.url,
      flutterwave.chargeCompletedEvent(transaction.id as number),
    );
    expect(sent).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 150_050 });
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);
  });

  it('fails the payment from charge.completed whose data.status is failed', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 10_000,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    const transaction = flutterwave.fail(created.reference);
    expect(
      (
        await flutterwave.sendWebhook(
          t.url,
          flutterwave.chargeCompletedEvent(transaction.id as number),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'failed',
    );
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  it('answers a wrong or missing verif-hash with 401 INVALID_SIGNATURE, storing nothing', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 10_000,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    const transaction = flutterwave.pay(created.reference);
    const event = flutterwave.chargeCompletedEvent(transaction.id as number);
    const wrong = await flutterwave.sendWebhook(t.url, event, { hash: 'guessed-hash' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect((await flutterwave.sendWebhook(t.url, event, { hash: null })).status).toBe(401);
    expect(
      await eventStatus(t, 'flutterwave', `charge.completed:${String(transaction.id)}:successful`),
    ).toBe('missing');
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it('treats the same notification delivered again as a duplicate with no second effect', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 20_000,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    const transaction = flutterwave.pay(created.reference);
    const event = flutterwave.chargeCompletedEvent(transaction.id as number);
    await flutterwave.sendWebhook(t.url, event);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const again = await Promise.all([1, 2, 3].map(() => flutterwave.sendWebhook(t.url, event)));
    expect(again.map((response) => response.body)).toEqual(
      Array(3).fill({ received: true, duplicate: true }),
    );
    const stored = await sql(
      t,
      `SELECT 1 FROM inbound_webhook_events WHERE gateway = 'flutterwave' AND reference = $1`,
      [created.reference],
    );
    expect(stored).toHaveLength(1);
    expect((await paymentEvents(t, created.reference)).map((row) => row.type)).toEqual([
      'payment.success',
    ]);
  });

  it('sends a payment Flutterwave reports for a different amount to needs_review', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 150_000,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    const transaction = flutterwave.pay(created.reference, { amount: '1400.00' });
    await flutterwave.sendWebhook(
      t.url,
      flutterwave.chargeCompletedEvent(transaction.id as number),
    );
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'needs_review',
    );
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body.review_reason).toMatch(/amount 140000 instead of 150000/);
    expect(await paymentEvents(t, created.reference)).toEqual([]);
  });

  describe('while Flutterwave is down', () => {
    async function deliverWhile(
      breakFlutterwave: () => Promise<void> | void,
    ): Promise<{ reference: string; eventId: string }> {
      const created = await createPayment(t, alice.authHeader, {
        amount: 5_000,
        currency: 'NGN',
        gateway: 'flutterwave',
      });
      const transaction = flutterwave.pay(created.reference);
      const event = flutterwave.chargeCompletedEvent(transaction.id as number);
      await breakFlutterwave();
      // verif-hash is checked locally: the event is stored even while Flutterwave's API is down.
      expect((await flutterwave.sendWebhook(t.url, event)).status).toBe(200);
      return {
        reference: created.reference,
        eventId: `charge.completed:${String(transaction.id)}:successful`,
      };
    }

    it('retries a connection refused and settles once Flutterwave is back', async () => {
      const { reference, eventId } = await deliverWhile(() =>
        flutterwave.server.refuseConnections(),
      );
      await waitFor(
        () => inboundEvent(t, 'flutterwave', eventId),
        (row) => row.attempts >= 2 && row.last_error !== null,
      );
      expect(await paymentStatus(t, reference)).toBe('pending');
      await flutterwave.server.acceptConnections();
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
    });

    it('retries 500 answers and settles', async () => {
      const { reference, eventId } = await deliverWhile(() =>
        flutterwave.server.failNext(500, 3, (req) => req.path.includes('/verify')),
      );
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
      expect((await inboundEvent(t, 'flutterwave', eventId)).attempts).toBeGreaterThanOrEqual(4);
    });

    it('retries after a timeout and settles', async () => {
      const { reference, eventId } = await deliverWhile(() =>
        flutterwave.server.hangNext(3_000, 1, (req) => req.path.includes('/verify')),
      );
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
      expect((await inboundEvent(t, 'flutterwave', eventId)).attempts).toBeGreaterThanOrEqual(2);
    });
  });
});
