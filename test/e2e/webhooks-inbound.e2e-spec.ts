import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { ReconciliationService } from '../../src/modules/payments/reconciliation/reconciliation.service.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { type BulkJob, QueueProducer } from '../../src/queue/queue-producer.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  eventStatus,
  paymentEvents,
  paymentsEnv,
  paymentStatus,
  sql,
  transitions,
  waitFor,
} from './payments.helpers.js';

/** Loses inbound-webhook jobs on demand, as if the process died between the insert and the enqueue. */
@Injectable()
class LossyQueueProducer extends QueueProducer {
  static loseInboundJobs = false;
  static lost = 0;

  override async tryEnqueueMany<T extends object>(
    queue: QueueName,
    jobs: BulkJob<T>[],
  ): Promise<boolean> {
    if (LossyQueueProducer.loseInboundJobs && queue === QueueName.InboundWebhooks) {
      LossyQueueProducer.lost += jobs.length;
      return true;
    }
    return super.tryEnqueueMany(queue, jobs);
  }
}

describe('inbound webhook pipeline (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let alice: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      // RECONCILE_MIN_AGE 0 so the race test's reconciliation run picks fresh payments up
      env: paymentsEnv(paystack, generic.secret, { RECONCILE_MIN_AGE: '0s' }),
      override: (builder) => builder.overrideProvider(QueueProducer).useClass(LossyQueueProducer),
    });
    alice = await signIn(t, 'alice@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
  });

  it('settles once when the same webhook arrives 20 times at once', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 120_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    const event = paystack.chargeSuccessEvent(created.reference);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => paystack.sendWebhook(t.url, event)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(
      answers.filter((answer) => (answer.body as { duplicate: boolean }).duplicate === false),
    ).toHaveLength(1);

    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    const stored = await sql<{ status: string }>(
      t,
      `SELECT status FROM inbound_webhook_events WHERE reference = $1`,
      [created.reference],
    );
    await waitFor(
      () =>
        eventStatus(
          t,
          'paystack',
          `charge.success.${paystack.transaction(created.reference).id}.success`,
        ),
      (s) => s === 'processed',
    );
    expect(stored).toHaveLength(1);
    expect(await transitions(t, created.reference)).toHaveLength(1);
    expect((await paymentEvents(t, created.reference)).map((e) => e.type)).toEqual([
      'payment.success',
    ]);
  });

  it('settles exactly once when the webhook job, verify, the callback and reconciliation race on the same payments', async () => {
    const payments = [];
    for (let i = 0; i < 6; i++) {
      const created = await createPayment(t, alice.authHeader, {
        amount: 10_000 + i,
        currency: 'NGN',
        gateway: 'paystack',
      });
      paystack.markPaid(created.reference);
      payments.push(created);
    }
    const reconciliation = t.get<ReconciliationService>(ReconciliationService);
    await Promise.all([
      reconciliation.reconcileOnce(),
      ...payments.flatMap((payment) => [
        paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(payment.reference)),
        request(t.url).post(`/api/v1/payments/${payment.reference}/verify`).set(alice.authHeader),
        request(t.url).get(`/api/v1/payments/${payment.reference}/verify`).set(alice.authHeader),
        request(t.url).get(`/api/v1/payments/callback?reference=${payment.reference}`),
      ]),
    ]);
    for (const payment of payments) {
      await waitFor(
        () =>
          eventStatus(
            t,
            'paystack',
            `charge.success.${paystack.transaction(payment.reference).id}.success`,
          ),
        (s) => s === 'processed',
      );
      expect(await paymentStatus(t, payment.reference)).toBe('succeeded');
      expect(await transitions(t, payment.reference)).toHaveLength(1);
      expect((await paymentEvents(t, payment.reference)).map((e) => e.type)).toEqual([
        'payment.success',
      ]);
    }
  });

  it('parks a webhook for an unknown reference as unmatched after retrying, then settles it when an admin replays it', async () => {
    const reference = 'PAY-20260101000000-LATE0001';
    const sent = await generic.send(
      t.url,
      {
        transaction_id: reference,
        payment_id: 'gen_late',
        status: 'completed',
        amount: 6_000,
        currency: 'USD',
      },
      { id: 'msg_unknown_ref' },
    );
    expect(sent.status).toBe(200);
    await waitFor(
      () => eventStatus(t, 'generic', 'msg_unknown_ref'),
      (status) => status === 'unmatched',
    );
    const [parked] = await sql<{ id: string; attempts: number; last_error: string }>(
      t,
      `SELECT id, attempts, last_error FROM inbound_webhook_events WHERE event_id = 'msg_unknown_ref'`,
    );
    expect(parked.attempts).toBeGreaterThan(1);
    expect(parked.last_error).toContain(reference);

    const listed = await request(t.url)
      .get('/api/v1/admin/webhook-events?status=unmatched')
      .set(admin.authHeader)
      .expect(200);
    expect(listed.body.events.map((e: { id: string }) => e.id)).toContain(parked.id);
    const listedEvent = listed.body.events.find((e: { id: string }) => e.id === parked.id);
    expect(listedEvent.headers['webhook-signature']).toBeUndefined();
    expect(listedEvent.headers['webhook-id']).toBe('msg_unknown_ref');

    // The payment turns up later (e.g. its creation was delayed on another instance).
    await sql(
      t,
      `INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency, email, expires_at)
       VALUES ($1, $2, 'payment', 'generic', 'pending', 6000, 'USD', 'payer@example.com', now() + interval '1 day')`,
      [reference, alice.userId],
    );
    const replayed = await request(t.url)
      .post(`/api/v1/admin/webhook-events/${parked.id}/replay`)
      .set(admin.authHeader)
      .expect(200);
    expect(replayed.body.status).toBe('received');
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'succeeded',
    );
    expect(await eventStatus(t, 'generic', 'msg_unknown_ref')).toBe('processed');
    expect(await transitions(t, reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'replay' },
    ]);

    const again = await request(t.url)
      .post(`/api/v1/admin/webhook-events/${parked.id}/replay`)
      .set(admin.authHeader)
      .expect(200);
    expect(again.body.status).toBe('received');
    await waitFor(
      () => eventStatus(t, 'generic', 'msg_unknown_ref'),
      (status) => status === 'processed',
    );
    expect(await transitions(t, reference)).toHaveLength(1);
  });

  it('re-enqueues, through the sweeper, an event whose job was lost', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 3_300,
      currency: 'USD',
      gateway: 'generic',
    });
    LossyQueueProducer.loseInboundJobs = true;
    const lostBefore = LossyQueueProducer.lost;
    try {
      const sent = await generic.send(
        t.url,
        { transaction_id: created.reference, status: 'completed', amount: 3_300, currency: 'USD' },
        { id: 'msg_lost_job' },
      );
      expect(sent.status).toBe(200);
    } finally {
      LossyQueueProducer.loseInboundJobs = false;
    }
    expect(LossyQueueProducer.lost).toBe(lostBefore + 1);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    expect(await eventStatus(t, 'generic', 'msg_lost_job')).toBe('processed');
  });

  it('retries while Paystack fails with 500, drops connections or hangs, and settles once it answers', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 45_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    const eventId = `charge.success.${paystack.transaction(created.reference).id}.success`;
    const verifiesBefore = paystack.callCount('GET /transaction/verify');
    paystack.fault = 'error500';
    try {
      await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(created.reference));
      await waitFor(
        async () => paystack.callCount('GET /transaction/verify') - verifiesBefore,
        (calls) => calls >= 2,
      );
      paystack.fault = 'drop';
      const attemptsBefore = (
        await sql<{ attempts: number }>(
          t,
          `SELECT attempts FROM inbound_webhook_events WHERE event_id = $1`,
          [eventId],
        )
      )[0].attempts;
      await waitFor(
        async () =>
          (
            await sql<{ attempts: number }>(
              t,
              `SELECT attempts FROM inbound_webhook_events WHERE event_id = $1`,
              [eventId],
            )
          )[0].attempts,
        (attempts) => attempts > attemptsBefore,
      );
      paystack.fault = 'hang';
      const attemptsBeforeHang = (
        await sql<{ attempts: number }>(
          t,
          `SELECT attempts FROM inbound_webhook_events WHERE event_id = $1`,
          [eventId],
        )
      )[0].attempts;
      await waitFor(
        async () =>
          (
            await sql<{ attempts: number; status: string }>(
              t,
              `SELECT attempts, status FROM inbound_webhook_events WHERE event_id = $1`,
              [eventId],
            )
          )[0],
        (row) => row.attempts > attemptsBeforeHang && row.status === 'received',
      );
      expect(await paymentStatus(t, created.reference)).toBe('pending');
    } finally {
      paystack.fault = 'ok';
    }
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    const [event] = await sql<{ status: string; attempts: number }>(
      t,
      `SELECT status, attempts FROM inbound_webhook_events WHERE event_id = $1`,
      [eventId],
    );
    expect(event.status).toBe('processed');
    expect(event.attempts).toBeGreaterThan(2);
  });

  it('stops retrying an event Paystack has never heard of and marks it failed', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 5_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const event = paystack.chargeSuccessEvent(created.reference);
    paystack.transactions.delete(created.reference);
    await paystack.sendWebhook(t.url, event);
    const eventId = `charge.success.${(event.data as { id: number }).id}.success`;
    await waitFor(
      () => eventStatus(t, 'paystack', eventId),
      (status) => status === 'failed',
    );
    const [stored] = await sql<{ attempts: number; last_error: string }>(
      t,
      `SELECT attempts, last_error FROM inbound_webhook_events WHERE event_id = $1`,
      [eventId],
    );
    expect(stored.last_error).toContain('has no transaction');
    expect(stored.attempts).toBeLessThan(t.config.inboundWebhookAttempts);
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it('stores events it does not act on as ignored, and parks a refund event for a payment we do not know as unmatched', async () => {
    const refund = {
      ...(await import('../fakes/fixtures.js')).loadFixture('paystack', 'refund-processed-event'),
    };
    const answer = await paystack.sendWebhook(t.url, refund);
    expect(answer.status).toBe(200);
    const other = await paystack.sendWebhook(t.url, {
      // Subscriptions are not handled (transfers now are: payouts).
      event: 'subscription.create',
      data: { id: 37272792, status: 'active' },
    });
    expect(other.status).toBe(200);
    expect(await eventStatus(t, 'paystack', 'subscription.create.37272792.active')).toBe('ignored');
    // The refunds module handles refund events; one naming a payment we never made is parked for an admin.
    await waitFor(
      () => eventStatus(t, 'paystack', 'refund.processed.132013318360.processed'),
      (status) => status === 'unmatched',
    );
  });
});
