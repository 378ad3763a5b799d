import http from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { GenericAdapter } from '../../src/modules/gateways/generic/generic.adapter.js';
import { JobName, QueueName } from '../../src/queue/queue-names.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { createPayment, paymentsEnv, paymentStatus, sql, waitFor } from './payments.helpers.js';

/**
 * `lean`: a plain JSON POST with a Content-Length (served ahead of Express).
 * `express`: the same bytes sent chunked, which the lean path leaves to Express and Nest.
 */
type Path = 'lean' | 'express';

interface StoredEvent {
  id: string;
  gateway: string;
  event_id: string;
  type: string;
  reference: string;
  status: string;
  processed_at: Date | null;
  payload: Record<string, unknown> | null;
  normalized: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Card data and tokens of Paystack's `authorization` object, as they would appear in the body. */
const CARD_VALUES = [
  '"authorization"',
  'AUTH_f5rnfq9p',
  '"authorization_code"',
  '539999',
  '"bin"',
  '"last4"',
  '"exp_month"',
  '"exp_year"',
  '"signature"',
  'SIG_reusable_card_print',
];

describe('what is kept of an inbound webhook (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let alice: SignedIn;
  let admin: SignedIn;
  const reachedExpress: string[] = [];
  const references: Record<Path, string> = { lean: '', express: '' };

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret),
      onExpressRequest: (req) => {
        if (req.url?.startsWith('/api/v1/webhooks/')) reachedExpress.push(req.url);
      },
    });
    alice = await signIn(t, 'stored-data@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
  });

  function post(path: Path, body: string, headers: Record<string, string>): Promise<number> {
    const { port } = new URL(t.url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/webhooks/paystack',
          method: 'POST',
          headers:
            path === 'lean'
              ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
              : headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      // Without a Content-Length, Node sends the body chunked.
      if (path === 'express') req.write(body);
      req.end(path === 'lean' ? body : undefined);
    });
  }

  async function storedEvent(reference: string): Promise<StoredEvent> {
    const rows = await sql<StoredEvent>(
      t,
      `SELECT id, gateway, event_id, type, reference, status, processed_at, payload, normalized, headers
         FROM inbound_webhook_events WHERE reference = $1`,
      [reference],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it.each<Path>(['lean', 'express'])(
    'stores a Paystack charge.success without its authorization object (%s path), and settles it',
    async (path) => {
      const created = await createPayment(t, alice.authHeader, {
        amount: 150_000,
        currency: 'NGN',
        gateway: 'paystack',
      });
      references[path] = created.reference;
      paystack.markPaid(created.reference);
      const event = paystack.chargeSuccessEvent(created.reference);
      const data = event.data as Record<string, unknown>;
      // Paystack's live events also carry the card's signature and whether it can be charged again.
      data.authorization = {
        ...(data.authorization as Record<string, unknown>),
        signature: 'SIG_reusable_card_print',
        reusable: true,
      };
      const body = JSON.stringify(event);
      const before = reachedExpress.length;
      const status = await post(path, body, {
        'content-type': 'application/json',
        'x-paystack-signature': paystack.sign(body),
      });
      expect(status).toBe(200);
      expect(reachedExpress.length - before).toBe(path === 'express' ? 1 : 0);

      await waitFor(
        () => paymentStatus(t, created.reference),
        (s) => s === 'succeeded',
      );
      const stored = await storedEvent(created.reference);
      expect(stored.status).toBe('processed');
      const text = JSON.stringify(stored.payload);
      for (const value of CARD_VALUES)
        expect({ value, stored: text.includes(value) }).toEqual({ value, stored: false });
      expect(stored.payload).toMatchObject({
        event: 'charge.success',
        data: {
          id: paystack.transaction(created.reference).id,
          reference: created.reference,
          status: 'success',
          amount: 150_000,
          currency: 'NGN',
          customer: { email: 'payer@example.com' },
        },
      });

      const listed = await request(t.url)
        .get('/api/v1/admin/webhook-events?limit=100')
        .set(admin.authHeader)
        .expect(200);
      const shown = (listed.body.events as { reference: string; payload: unknown }[]).find(
        (candidate) => candidate.reference === created.reference,
      );
      expect(shown?.payload).toEqual(stored.payload);
    },
  );

  it('deletes payloads past INBOUND_PAYLOAD_RETENTION with its repeating job, keeping the event’s identity and outcome', async () => {
    const maintenance = t.get<Queue>(getQueueToken(QueueName.Maintenance));
    const schedulers = await waitFor(
      () => maintenance.getJobSchedulers(),
      (list) => list.some((scheduler) => scheduler.name === JobName.PurgeInboundPayloads),
    );
    expect(
      schedulers.find((scheduler) => scheduler.name === JobName.PurgeInboundPayloads)?.every,
    ).toBe(3_600_000);

    // A generic gateway payment too: that gateway's "verify" answers from its stored events.
    const genericPayment = await createPayment(t, alice.authHeader, {
      amount: 7_000,
      currency: 'NGN',
      gateway: 'generic',
    });
    const sent = await generic.send(t.url, {
      transaction_id: genericPayment.reference,
      payment_id: 'gw_retained',
      status: 'completed',
      amount: 7_000,
      currency: 'NGN',
    });
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, genericPayment.reference),
      (s) => s === 'succeeded',
    );

    const old = await storedEvent(references.lean);
    const recent = await storedEvent(references.express);
    expect(old.payload).not.toBeNull();
    await sql(
      t,
      `UPDATE inbound_webhook_events SET received_at = now() - interval '91 days' WHERE reference = $1`,
      [genericPayment.reference],
    );
    // 90 days is the default retention: one day past it, and one just inside it.
    await sql(
      t,
      `UPDATE inbound_webhook_events SET received_at = now() - interval '91 days' WHERE id = $1`,
      [old.id],
    );
    await sql(
      t,
      `UPDATE inbound_webhook_events SET received_at = now() - interval '89 days' WHERE id = $1`,
      [recent.id],
    );

    await maintenance.add(JobName.PurgeInboundPayloads, {});
    const purged = await waitFor(
      () => storedEvent(references.lean),
      (event) => event.payload === null,
    );
    expect(purged).toEqual({ ...old, payload: null, headers: {} });
    expect(await storedEvent(references.express)).toEqual(recent);
    expect((await storedEvent(genericPayment.reference)).payload).toBeNull();
    await expect(
      t.get<GenericAdapter>(GenericAdapter).verify({
        reference: genericPayment.reference,
        gatewayPaymentId: null,
        amount: 7_000,
        currency: 'NGN',
      }),
    ).resolves.toMatchObject({
      status: 'succeeded',
      reference: genericPayment.reference,
      amount: 7_000,
      currency: 'NGN',
      gatewayPaymentId: 'gw_retained',
    });

    // Still recognized as a duplicate: the identity is what makes it one.
    const again = await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(references.lean));
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });

    const listed = await request(t.url)
      .get('/api/v1/admin/webhook-events?limit=100')
      .set(admin.authHeader)
      .expect(200);
    const shown = (listed.body.events as Record<string, unknown>[]).find(
      (candidate) => candidate.reference === references.lean,
    );
    expect(shown).toMatchObject({
      gateway: 'paystack',
      event_id: old.event_id,
      type: 'charge.success',
      status: 'processed',
      processed_at: old.processed_at?.toISOString(),
      payload: null,
      headers: {},
    });
  });
});
