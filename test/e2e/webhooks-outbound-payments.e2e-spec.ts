import request from 'supertest';
import { DataSource } from 'typeorm';
import type { SqlFunctionCall } from '../../src/database/sql.js';
import { AppEvents, type SettledPayment } from '../../src/modules/events/app-events.js';
import { OutboxRelayService } from '../../src/modules/outbound-webhooks/outbox-relay.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { createPayment, paymentsEnv, paymentStatus, waitFor } from './payments.helpers.js';

/**
 * A 'payment.succeeded' handler that can be told to fail: its call (a function this test creates, which
 * raises) runs in the settlement statement that also writes the payment, its audit entry and its
 * outbox event, so the whole settlement rolls back, outbox row included.
 */
class FailingSettlementHook {
  readonly failFor = new Set<string>();
  readonly injectedFailures = new Map<string, number>();

  effectOnSuccess(payment: SettledPayment): Promise<SqlFunctionCall | null> {
    if (!this.failFor.has(payment.reference)) return Promise.resolve(null);
    this.injectedFailures.set(
      payment.reference,
      (this.injectedFailures.get(payment.reference) ?? 0) + 1,
    );
    return Promise.resolve({ name: 'test_fail_settlement', args: [payment.reference] });
  }
}

describe('outbound webhooks from payment settlement (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let receiver: WebhookReceiver;
  const failingHook = new FailingSettlementHook();

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    receiver = await new WebhookReceiver().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '0,1,1',
      }),
    });
    t.get<AppEvents>(AppEvents).on('payment.succeeded', (payment) =>
      failingHook.effectOnSuccess(payment),
    );
    await t.get<DataSource>(DataSource).query(`
      CREATE FUNCTION test_fail_settlement(p_reference text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'injected failure after settling %', p_reference;
      END $$`);
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await paystack?.stop();
  });

  it('sends a payment.success delivery that verifies when a payment settles', async () => {
    const user = await signIn(t, 'settled-webhook@example.com');
    const endpoint = await request(t.url)
      .post('/api/v1/webhook-endpoints')
      .set(user.authHeader)
      .send({ url: `${receiver.url}/payments`, events: ['payment.success'] })
      .expect(201);

    const created = await createPayment(t, user.authHeader, {
      amount: 7_500,
      currency: 'USD',
      gateway: 'generic',
    });
    const sent = await generic.send(t.url, {
      transaction_id: created.reference,
      payment_id: 'gen_wh_1',
      status: 'completed',
      amount: 7_500,
      currency: 'USD',
    });
    expect(sent.status).toBe(200);

    await receiver.waitFor(() => receiver.requests.some((r) => r.body.includes(created.reference)));
    const received = receiver.requests.filter((r) => r.body.includes(created.reference));
    expect(received).toHaveLength(1);
    const body = verifyWebhook(endpoint.body.secret, received[0]) as {
      id: string;
      event: string;
      timestamp: number;
      data: Record<string, unknown>;
    };
    expect(body.event).toBe('payment.success');
    expect(body.id).toBe(received[0].headers['webhook-id']);
    expect(body.id).toMatch(/^evt_/);
    const payment = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(user.authHeader)
      .expect(200);
    expect(body.data).toMatchObject({
      reference: created.reference,
      status: 'succeeded',
      amount: 7_500,
      currency: 'USD',
      gateway: 'generic',
    });
    expect(body.data.reference).toBe(payment.body.reference);
    expect(body.data.status).toBe(payment.body.status);
  });

  it('delivers nothing for a settlement rolled back with its outbox write, and exactly once when it commits', async () => {
    const user = await signIn(t, 'rolled-back-settlement@example.com');
    await request(t.url)
      .post('/api/v1/webhook-endpoints')
      .set(user.authHeader)
      .send({ url: `${receiver.url}/rollback`, events: ['*'] })
      .expect(201);
    const created = await createPayment(t, user.authHeader, {
      amount: 1_234,
      currency: 'USD',
      gateway: 'generic',
    });
    failingHook.failFor.add(created.reference);
    const sent = await generic.send(t.url, {
      transaction_id: created.reference,
      payment_id: 'gen_wh_2',
      status: 'completed',
      amount: 1_234,
      currency: 'USD',
    });
    expect(sent.status).toBe(200);

    // The settlement job keeps failing (and retrying): nothing of it commits, outbox row included.
    await waitFor(
      async () => failingHook.injectedFailures.get(created.reference) ?? 0,
      (failures) => failures >= 2,
    );
    const dataSource = t.get<DataSource>(DataSource);
    await t.get<OutboxRelayService>(OutboxRelayService).relayPending();
    expect(await paymentStatus(t, created.reference)).toBe('pending');
    expect(
      await dataSource.query(`SELECT 1 FROM events WHERE data->>'reference' = $1`, [
        created.reference,
      ]),
    ).toHaveLength(0);
    expect(receiver.requests.filter((r) => r.body.includes(created.reference))).toHaveLength(0);

    // Once the transaction can commit, the event and its single delivery follow.
    failingHook.failFor.delete(created.reference);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
      30_000,
    );
    await receiver.waitFor(
      () => receiver.requests.some((r) => r.body.includes(created.reference)),
      30_000,
    );
    const events: { type: string }[] = await dataSource.query(
      `SELECT type FROM events WHERE data->>'reference' = $1 ORDER BY created_at`,
      [created.reference],
    );
    expect(events.map((event) => event.type)).toEqual(['payment.success']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(
      receiver.requests.filter((r) => r.body.includes(created.reference) && r.path === '/rollback'),
    ).toHaveLength(1);
  });
});
