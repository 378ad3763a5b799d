import request from 'supertest';
import { GatewayUnavailableError } from '../../src/modules/gateways/gateway.errors.js';
import type { RefundInput, RefundResult } from '../../src/modules/gateways/gateway.interface.js';
import { StripeAdapter } from '../../src/modules/gateways/stripe/stripe.adapter.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import { FakePayPal } from '../fakes/fake-paypal.js';
import { FakeStripe } from '../fakes/fake-stripe.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { createPayment, eventStatus, sql, waitFor } from './payments.helpers.js';

interface RefundRow {
  id: string;
  status: string;
  amount: string;
  initiated_by: string;
  gateway_refund_id: string | null;
  needs_attention: string | null;
  attempts: number;
}

describe('refunds through Stripe, PayPal and Flutterwave (e2e)', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let paypal: FakePayPal;
  let flutterwave: FakeFlutterwave;
  let alice: SignedIn;

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    paypal = await new FakePayPal().start();
    flutterwave = await new FakeFlutterwave().start();
    t = await createTestApp({
      env: {
        ...stripe.env(),
        ...paypal.env(),
        ...flutterwave.env(),
        GATEWAY_TIMEOUT: '1500ms',
        INBOUND_WEBHOOK_BACKOFF: '100ms',
        INBOUND_WEBHOOK_UNMATCHED_WINDOW: '1500ms',
        INBOUND_WEBHOOK_SWEEP_INTERVAL: '500ms',
        RECONCILE_INTERVAL: '1h',
        REFUND_BACKOFF: '100ms',
        REFUND_RECONCILE_INTERVAL: '300ms',
        REFUND_POLL_INTERVAL: '200ms',
        REFUND_SWEEP_AFTER: '1h',
      },
    });
    alice = await signIn(t, 'alice.refunds-gateways@example.com');
  });

  afterEach(async () => {
    for (const fake of [stripe.server, paypal.server, flutterwave.server]) {
      fake.clearFaults();
      await fake.acceptConnections();
    }
    stripe.refundOutcome = 'succeeded';
    flutterwave.refundOutcome = 'completed';
    paypal.refundOutcome = 'COMPLETED';
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([stripe?.stop(), paypal?.stop(), flutterwave?.stop()]);
  });

  const api = (): ReturnType<typeof request> => request(t.url);

  async function paidStripePayment(amount: number): Promise<string> {
    const created = await createPayment(t, alice.authHeader, {
      amount,
      currency: 'USD',
      gateway: 'stripe',
    });
    stripe.pay(stripe.sessionByReference(created.reference).id as string);
    expect(
      (
        await api()
          .post(`/api/v1/payments/${created.reference}/verify`)
          .set(alice.authHeader)
          .expect(200)
      ).body.status,
    ).toBe('succeeded');
    return created.reference;
  }

  async function paidFlutterwavePayment(amount: number): Promise<string> {
    const created = await createPayment(t, alice.authHeader, {
      amount,
      currency: 'NGN',
      gateway: 'flutterwave',
    });
    flutterwave.pay(created.reference);
    expect(
      (
        await api()
          .post(`/api/v1/payments/${created.reference}/verify`)
          .set(alice.authHeader)
          .expect(200)
      ).body.status,
    ).toBe('succeeded');
    return created.reference;
  }

  async function refund(reference: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send(body)
      .expect(202);
    return res.body.id as string;
  }

  async function refundRow(id: string): Promise<RefundRow> {
    const [row] = await sql<RefundRow>(t, `SELECT * FROM refunds WHERE id = $1`, [id]);
    return row;
  }

  async function refundEventTypes(refundId: string): Promise<string[]> {
    const rows = await sql<{ type: string }>(
      t,
      `SELECT type FROM events WHERE type LIKE 'refund.%' AND data->>'id' = $1 ORDER BY created_at`,
      [refundId],
    );
    return rows.map((row) => row.type);
  }

  async function paymentOf(
    reference: string,
  ): Promise<{ amount_refunded: number; refund_status: string }> {
    return (await api().get(`/api/v1/payments/${reference}`).set(alice.authHeader).expect(200))
      .body;
  }

  async function expectLedgerClean(): Promise<void> {
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).problems).toEqual([]);
  }

  it("settles a Stripe refund once when refund.updated beats the refund API's own succeeded answer", async () => {
    const reference = await paidStripePayment(5_000);
    const adapter = t.get<StripeAdapter>(StripeAdapter);
    const original = adapter.refund.bind(adapter);
    // Set once the patched call below has seen the webhook settle the refund and answered: the
    // webhook records the gateway's id a statement before it settles, so the row alone can show
    // attempts 1 and the id while the refund is still processing.
    let answered = false;
    adapter.refund = async (input: RefundInput): Promise<RefundResult> => {
      const answer = await original(input);
      const sent = await stripe.sendWebhook(
        t.url,
        stripe.refundUpdatedEvent(answer.gatewayRefundId ?? ''),
      );
      expect(sent.status).toBe(200);
      await waitFor(
        () => refundRow(input.refundId),
        (row) => row.status === 'succeeded',
      );
      answered = true;
      return answer;
    };
    let refundId: string;
    try {
      refundId = await refund(reference, { amount: 2_000 });
      await waitFor(
        () => refundRow(refundId),
        (row) => answered && row.attempts === 1 && row.gateway_refund_id !== null,
      );
    } finally {
      adapter.refund = original;
    }
    const row = await refundRow(refundId);
    expect(row.status).toBe('succeeded');
    const atStripe = stripe.refund(row.gateway_refund_id ?? '');
    expect(atStripe).toMatchObject({ amount: 2_000, metadata: { refund_id: refundId, reference } });
    expect(await refundEventTypes(refundId)).toEqual(['refund.processed']);
    expect(await paymentOf(reference)).toMatchObject({
      amount_refunded: 2_000,
      refund_status: 'partial',
    });
  });

  it('resends a Stripe refund whose answer was lost with the same idempotency key, refunding once', async () => {
    const reference = await paidStripePayment(3_000);
    const adapter = t.get<StripeAdapter>(StripeAdapter);
    const original = adapter.refund.bind(adapter);
    let calls = 0;
    adapter.refund = async (input: RefundInput): Promise<RefundResult> => {
      calls++;
      const answer = await original(input);
      // Stripe made the refund, but its answer never reached us
      if (calls === 1) throw new GatewayUnavailableError('stripe', 'timed out after 1500 ms');
      return answer;
    };
    let refundId: string;
    try {
      refundId = await refund(reference);
      await waitFor(
        () => refundRow(refundId),
        (row) => row.status === 'succeeded',
      );
    } finally {
      adapter.refund = original;
    }
    expect(calls).toBe(2);
    const atStripe = stripe
      .refundList()
      .filter((r) => (r.metadata as Record<string, string>).refund_id === refundId);
    expect(atStripe).toHaveLength(1);
    expect((await refundRow(refundId)).gateway_refund_id).toBe(atStripe[0].id);
    expect(await refundEventTypes(refundId)).toEqual(['refund.processed']);
  });

  it('keeps a Stripe refund processing when its resend meets the first call still in progress (409), and finishes it once', async () => {
    const reference = await paidStripePayment(4_000);
    const refunds = (req: { method: string; path: string }): boolean =>
      req.method === 'POST' && req.path === '/v1/refunds';
    // Stripe makes the refund but its answer is lost; the resend under the same key arrives while
    // Stripe still works on the first and is answered 409 idempotency_error; the next is replayed.
    stripe.server.loseReplyNext(3_000, 1, refunds);
    stripe.server.failNext(409, 1, refunds);
    const refundId = await refund(reference);
    await waitFor(
      () => refundRow(refundId),
      (row) => row.status !== 'pending' && row.status !== 'processing',
      20_000,
    );
    const atStripe = stripe
      .refundList()
      .filter((r) => (r.metadata as Record<string, string>).refund_id === refundId);
    expect(atStripe).toHaveLength(1);
    expect(await refundRow(refundId)).toMatchObject({
      status: 'succeeded',
      gateway_refund_id: atStripe[0].id,
    });
    expect(stripe.server.count('POST', /^\/v1\/refunds$/)).toBeGreaterThanOrEqual(3);
    expect(await paymentOf(reference)).toMatchObject({
      amount_refunded: 4_000,
      refund_status: 'full',
    });
    expect(await refundEventTypes(refundId)).toEqual(['refund.processed']);
    await expectLedgerClean();
  });

  it('parks a Stripe refund whose resend is refused after the first answer was lost, rather than failing it', async () => {
    const reference = await paidStripePayment(2_500);
    const refunds = (req: { method: string; path: string }): boolean =>
      req.method === 'POST' && req.path === '/v1/refunds';
    stripe.server.loseReplyNext(3_000, 1, refunds);
    stripe.server.failNext(400, 1, refunds);
    const refundId = await refund(reference);
    const row = await waitFor(
      () => refundRow(refundId),
      (r) => r.needs_attention !== null || r.status === 'failed',
      20_000,
    );
    expect(row).toMatchObject({
      status: 'processing',
      needs_attention: expect.stringMatching(/refused/),
    });
    expect(
      stripe
        .refundList()
        .filter((r) => (r.metadata as Record<string, string>).refund_id === refundId),
    ).toHaveLength(1);
    expect(await refundEventTypes(refundId)).toEqual([]);
    expect(await paymentOf(reference)).toMatchObject({ amount_refunded: 2_500 });
    await expectLedgerClean();
  });

  it('does not resend a Stripe refund whose first answer was lost once its idempotency key may have expired', async () => {
    const reference = await paidStripePayment(1_500);
    const refunds = (req: { method: string; path: string }): boolean =>
      req.method === 'POST' && req.path === '/v1/refunds';
    const before = stripe.server.count('POST', /^\/v1\/refunds$/);
    stripe.server.loseReplyNext(3_000, 1, refunds);
    const refundId = await refund(reference);
    // As if the first call had been made 21 hours ago: Stripe keeps keys for at least 24.
    await sql(t, `UPDATE refunds SET created_at = now() - interval '21 hours' WHERE id = $1`, [
      refundId,
    ]);
    const row = await waitFor(
      () => refundRow(refundId),
      (r) => r.needs_attention !== null || r.status === 'succeeded' || r.status === 'failed',
      20_000,
    );
    expect(row).toMatchObject({
      status: 'processing',
      needs_attention: expect.stringMatching(/expired/),
    });
    expect(stripe.server.count('POST', /^\/v1\/refunds$/) - before).toBe(1);
    await expectLedgerClean();
  });

  it('fails a Stripe refund that Stripe reports failed and records refund.failed', async () => {
    const reference = await paidStripePayment(4_000);
    stripe.refundOutcome = 'pending';
    const refundId = await refund(reference);
    const accepted = await waitFor(
      () => refundRow(refundId),
      (row) => row.gateway_refund_id !== null && row.status === 'processing',
    );
    stripe.settleRefund(accepted.gateway_refund_id ?? '', 'failed');
    await stripe.sendWebhook(
      t.url,
      stripe.event('refund.failed', stripe.refund(accepted.gateway_refund_id ?? '')),
    );
    await waitFor(
      () => refundRow(refundId),
      (row) => row.status === 'failed',
    );
    expect(await refundEventTypes(refundId)).toEqual(['refund.failed']);
    expect(await paymentOf(reference)).toMatchObject({ amount_refunded: 0, refund_status: 'none' });
    await expectLedgerClean();
  });

  it("records a refund made in Stripe's dashboard once, without counting it again", async () => {
    const reference = await paidStripePayment(9_000);
    const dashboardRefund = {
      id: 're_3dashboard0000000000000001',
      object: 'refund',
      amount: 4_000,
      currency: 'usd',
      status: 'succeeded',
      metadata: {},
      created: Math.floor(Date.now() / 1000),
    };
    const charge = {
      id: 'ch_3dashboard00000000000001',
      object: 'charge',
      amount: 9_000,
      amount_refunded: 4_000,
      currency: 'usd',
      metadata: { reference },
      refunded: false,
      refunds: { object: 'list', data: [dashboardRefund] },
    };
    const event = stripe.event('charge.refunded', charge);
    await stripe.sendWebhook(t.url, event);
    await waitFor(
      () => eventStatus(t, 'stripe', event.id as string),
      (status) => status === 'processed',
    );
    // the same refund again, in refund.updated: matched by Stripe's id, not counted twice
    const updated = stripe.event('refund.updated', dashboardRefund);
    await stripe.sendWebhook(t.url, updated);
    await waitFor(
      () => eventStatus(t, 'stripe', updated.id as string),
      (status) => status === 'ignored',
    );

    const listed = await api()
      .get(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .expect(200);
    expect(listed.body.refunds).toEqual([
      expect.objectContaining({
        amount: 4_000,
        currency: 'USD',
        status: 'succeeded',
        initiated_by: 'gateway',
      }),
    ]);
    expect(await refundEventTypes(listed.body.refunds[0].id)).toEqual(['refund.processed']);
    expect(await paymentOf(reference)).toMatchObject({
      amount_refunded: 4_000,
      refund_status: 'partial',
    });
    // only the rest can still be refunded through the API
    const over = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 5_001 })
      .expect(422);
    expect(over.body.code).toBe('REFUND_EXCEEDS_REMAINING');
    await expectLedgerClean();
  });

  it('finishes a pending PayPal refund from PAYMENT.CAPTURE.REFUNDED (matched by custom_id)', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 2_500,
      currency: 'USD',
      gateway: 'paypal',
    });
    paypal.approve(paypal.orderByReference(created.reference).id as string);
    expect(
      (
        await api()
          .post(`/api/v1/payments/${created.reference}/verify`)
          .set(alice.authHeader)
          .expect(200)
      ).body.status,
    ).toBe('succeeded');
    paypal.refundOutcome = 'PENDING';
    const refundId = await refund(created.reference, { amount: 1_000 });
    const accepted = await waitFor(
      () => refundRow(refundId),
      (row) => row.gateway_refund_id !== null,
    );
    // PayPal's API still says PENDING (so polling cannot finish it); only the webhook says COMPLETED
    const event = structuredClone(paypal.refundEvent(accepted.gateway_refund_id ?? ''));
    (event.resource as Record<string, unknown>).status = 'COMPLETED';
    expect((await paypal.sendWebhook(t.url, event)).status).toBe(200);
    await waitFor(
      () => eventStatus(t, 'paypal', event.id as string),
      (status) => status === 'processed',
    );
    expect((await refundRow(refundId)).status).toBe('succeeded');
    expect((event.resource as Record<string, unknown>).custom_id).toBe(refundId);
    expect(await refundEventTypes(refundId)).toEqual(['refund.processed']);
    expect(paypal.refundList().filter((r) => r.custom_id === refundId)).toHaveLength(1);
  });

  it('completes a Flutterwave refund by polling, as Flutterwave sends no refund webhooks', async () => {
    const reference = await paidFlutterwavePayment(150_050);
    flutterwave.refundOutcome = 'pending';
    const refundId = await refund(reference, { amount: 50_025 });
    const accepted = await waitFor(
      () => refundRow(refundId),
      (row) => row.gateway_refund_id !== null,
    );
    expect(accepted.status).toBe('processing');
    const atFlutterwave = flutterwave
      .refundList()
      .find((r) => String(r.id) === accepted.gateway_refund_id);
    expect(atFlutterwave).toMatchObject({
      amount_refunded: 500.25,
      comments: `refund ${refundId}`,
    });

    flutterwave.settleRefund(accepted.gateway_refund_id ?? '', 'completed');
    await waitFor(
      () => refundRow(refundId),
      (row) => row.status === 'succeeded',
    );
    expect(await refundEventTypes(refundId)).toEqual(['refund.processed']);
    expect(
      flutterwave.refundList().filter((r) => r.comments === `refund ${refundId}`),
    ).toHaveLength(1);
  });

  it('parks a Flutterwave refund whose call timed out rather than risk refunding twice', async () => {
    const reference = await paidFlutterwavePayment(20_000);
    flutterwave.server.hangNext(
      3_000,
      1,
      (req) => req.method === 'POST' && req.path.endsWith('/refund'),
    );
    const refundId = await refund(reference);
    const parked = await waitFor(
      () => refundRow(refundId),
      (row) => row.needs_attention !== null,
    );
    expect(parked).toMatchObject({ status: 'processing', gateway_refund_id: null, attempts: 1 });
    // reconciliation keeps running (every 300 ms) and leaves it alone
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const posts = flutterwave.server.calls.filter(
      (call) =>
        call.method === 'POST' && call.path.endsWith('/refund') && call.rawBody.includes(refundId),
    );
    expect(posts).toHaveLength(1);
    expect(await refundRow(refundId)).toMatchObject({ status: 'processing', attempts: 1 });
    expect(await paymentOf(reference)).toMatchObject({
      amount_refunded: 20_000,
      refund_status: 'full',
    });
  });
});
